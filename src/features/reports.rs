//! 記録・報告: the month's figures will live here. Until then the section says plainly what it will
//! hold and what to do meanwhile, rather than showing an empty frame.

use leptos::prelude::*;

use crate::text;
use crate::widgets::EmptyState;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <EmptyState title=text::REPORTS_TITLE message=text::REPORTS_EMPTY detail=text::REPORTS_EMPTY_DETAIL />
    }
}
