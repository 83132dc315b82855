//! On the SC's desk: the directory's entries they keep that nobody has checked for over a
//! year, oldest first, each a tap from its form (where 今日確認した is one more tap).

use leptos::prelude::*;

use super::queries::{self, ResourceItem};
use crate::app::AppStore;
use crate::widgets::load;
use crate::{local_time, text};

#[component]
pub fn StaleResources() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let stale = load(
        || (),
        move |()| async move {
            let store = store.get()?;
            let me = store.session().await.ok().flatten()?.me;
            let today = local_time::today();
            let mut stale: Vec<ResourceItem> = queries::resources(&store)
                .await
                .into_iter()
                .filter(|item| queries::keeps(&me, item.district) && item.entry.is_stale(today))
                .collect();
            mimamori_core::order::sort_by_key(&mut stale, |item| item.entry.checked_on);
            Some(stale)
        },
    );
    crate::widgets::dynamic(move || {
        let stale = stale.get().flatten().unwrap_or_default();
        if stale.is_empty() {
            return ().into_any();
        }
        view! {
            <h3 class="section-title" data-desk="stale-resources">{text::desk_stale_resources(stale.len())}</h3>
            <ul class="list">
                {stale.into_iter().map(|item| view! {
                    <li class="list-item">
                        <a href=format!("/resources/{}/edit", item.id) class="resource-link" data-resource=item.id.to_string()>
                            <span class="watch-name">{item.name()}</span>
                            <span class="resource-meta">{text::last_checked(item.entry.checked_on)}</span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    })
}
