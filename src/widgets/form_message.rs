use leptos::prelude::*;

/// What a form says after an action: done, or what went wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Done(String),
    Problem(String),
}

/// The form's line under its fields (nothing when `message` is `None`).
#[component]
pub fn FormMessage(message: RwSignal<Option<Message>>) -> impl IntoView {
    move || {
        message.get().map(|message| match message {
            Message::Done(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
            Message::Problem(text) => view! { <p class="alert" role="alert">{text}</p> }.into_any(),
        })
    }
}
