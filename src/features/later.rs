//! The sections whose features arrive in later updates. Each says plainly what it will
//! hold and what to do meanwhile, rather than showing an empty frame.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::EmptyState;
use crate::text;

#[component]
pub fn SalonsPage() -> impl IntoView {
    view! { <EmptyState title=text::SALONS_TITLE message=text::SALONS_EMPTY detail=text::SALONS_EMPTY_DETAIL /> }
}

#[component]
pub fn ResourcesPage() -> impl IntoView {
    view! {
        <EmptyState title=text::RESOURCES_TITLE message=text::RESOURCES_EMPTY detail=text::RESOURCES_EMPTY_DETAIL />
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! { <EmptyState title=text::REPORTS_TITLE message=text::REPORTS_EMPTY detail=text::REPORTS_EMPTY_DETAIL /> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h2 class="page-title">{text::NOT_FOUND_TITLE}</h2>
            <A href="/" attr:class="button">{text::NOT_FOUND_LINK}</A>
        </section>
    }
}
