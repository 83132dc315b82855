use leptos::prelude::*;

use crate::text;

/// The five sections, at the bottom where a thumb reaches. Each target is the full height
/// of the bar (at least 64px) and the current one is marked with `aria-current="page"`,
/// which the style sheet also shows with a bar and bold text, not by colour alone.
#[component]
pub fn BottomNav() -> impl IntoView {
    let items = [
        ("/", text::NAV_WATCH, "watch"),
        ("/salons", text::NAV_SALONS, "salons"),
        ("/resources", text::NAV_RESOURCES, "resources"),
        ("/reports", text::NAV_REPORTS, "reports"),
        ("/settings", text::NAV_SETTINGS, "settings"),
    ];
    let location = crate::nav::use_location();
    view! {
        <nav class="bottom-nav" aria-label=text::NAV_LABEL>
            {items
                .into_iter()
                .map(|(href, label, id)| {
                    view! {
                        <a
                            href=href
                            class="nav-item"
                            data-nav=id
                            aria-current=move || location.path.with(|p| p == href).then_some("page")
                        >
                            <span class="nav-label">{move || home_label(id).unwrap_or(label)}</span>
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// The first tab is the city's home, not a 見守りリスト (the city holds no residents).
fn home_label(id: &str) -> Option<&'static str> {
    #[cfg(feature = "coordinator")]
    if id == "watch" && crate::features::city::is_city() {
        return Some(text::NAV_HOME);
    }
    let _ = id;
    None
}
