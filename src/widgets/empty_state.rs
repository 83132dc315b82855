use leptos::prelude::*;

/// What a section says while it has nothing to show: a plain sentence and what to do.
#[component]
pub fn EmptyState(
    title: &'static str,
    message: &'static str,
    detail: &'static str,
) -> impl IntoView {
    view! {
        <section class="page">
            <h2 class="page-title">{title}</h2>
            <div class="empty-state">
                <p class="empty-message">{message}</p>
                <p class="empty-detail">{detail}</p>
            </div>
        </section>
    }
}
