//! The city's home (長寿社会課, the 第1層 SC): what this app is for them and where to go.
//! The city keeps the directory's city-wide entries and sees every district's salons; the
//! 見守り records are the districts' (personal information the city does not hold), so
//! the city is never shown an empty list of residents as if it had lost them.

use leptos::prelude::*;

use crate::text;

#[component]
pub fn CityHome() -> impl IntoView {
    view! {
        <section class="page city-home" data-home="city">
            <h2 class="page-title">{text::CITY_HOME_TITLE}</h2>
            <p>{text::CITY_HOME_LEAD}</p>
            // Each card's button first: in large text it is still in sight.
            <div class="city-card">
                <h3 class="section-title">{text::CITY_RESOURCES_TITLE}</h3>
                <a href="/resources" class="button primary wide" data-action="city-resources">{text::CITY_RESOURCES_OPEN}</a>
                <p>{text::CITY_RESOURCES_WHAT}</p>
                <a href="/resources/new" class="button wide" data-action="add-resource">{text::CITY_RESOURCES_ADD}</a>
                <a href="/resources/import" class="button wide" data-action="resource-spreadsheets">{text::RESOURCE_SPREADSHEETS_LINK}</a>
            </div>
            <div class="city-card">
                <h3 class="section-title">{text::CITY_SALONS_TITLE}</h3>
                <a href="/salons" class="button wide" data-action="city-salons">{text::CITY_SALONS_OPEN}</a>
                <p>{text::CITY_SALONS_WHAT}</p>
            </div>
            <div class="city-card">
                <h3 class="section-title">{text::CITY_WATCH_TITLE}</h3>
                <p>{text::CITY_WATCH_WHAT}</p>
            </div>
        </section>
    }
}

/// Whether the signed-in user is the city (whose home is [`CityHome`]).
pub fn is_city() -> bool {
    use_context::<crate::engine::SyncStatus>().is_some_and(|s| {
        s.me.get()
            .is_some_and(|me| me.role == mimamori_core::account::Role::City)
    })
}
