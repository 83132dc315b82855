//! 居場所・サロン: the schedules and attendance will live here. Until then the section says plainly what it will
//! hold and what to do meanwhile, rather than showing an empty frame.

use leptos::prelude::*;

use crate::text;
use crate::widgets::EmptyState;

#[component]
pub fn SalonsPage() -> impl IntoView {
    view! {
        <EmptyState title=text::SALONS_TITLE message=text::SALONS_EMPTY detail=text::SALONS_EMPTY_DETAIL />
    }
}
