use leptos::prelude::*;

/// What a form says after an action: done, or what went wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Done(String),
    Problem(String),
}

/// The form's line under its fields (nothing when `message` is `None`), brought into view
/// when it appears: it is drawn at the foot of the form, where the save bar (kept over the
/// foot of the screen) would otherwise hide what went wrong.
#[component]
pub fn FormMessage(message: RwSignal<Option<Message>>) -> impl IntoView {
    let line = NodeRef::<leptos::html::P>::new();
    Effect::new(move |_| {
        if let Some(line) = line.get() {
            line.scroll_into_view_with_bool(false);
        }
    });
    move || {
        message.get().map(|message| match message {
            Message::Done(text) => {
                view! { <p class="notice" role="status" node_ref=line>{text}</p> }.into_any()
            }
            Message::Problem(text) => {
                view! { <p class="alert" role="alert" node_ref=line>{text}</p> }.into_any()
            }
        })
    }
}
