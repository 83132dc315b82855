//! 社会資源まとめ: the resource directory will live here. Until then the section says plainly what it will
//! hold and what to do meanwhile, rather than showing an empty frame.

use leptos::prelude::*;

use crate::text;
use crate::widgets::EmptyState;

#[component]
pub fn ResourcesPage() -> impl IntoView {
    view! {
        <EmptyState title=text::RESOURCES_TITLE message=text::RESOURCES_EMPTY detail=text::RESOURCES_EMPTY_DETAIL />
    }
}
