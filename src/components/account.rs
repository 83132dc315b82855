use leptos::prelude::*;
use mimamori_core::api::LoginRequest;

use crate::app::AppSync;
use crate::store::Session;
use crate::sync::SyncStatus;
use crate::{api, text};

/// 設定's account section: the sign-in form, or who is signed in with a way out.
#[component]
pub fn AccountSection() -> impl IntoView {
    let status = use_context::<SyncStatus>();
    let me = move || status.and_then(|s| s.me.get());
    view! {
        <section class="setting" aria-labelledby="account-title">
            <h3 id="account-title" class="setting-title">{text::ACCOUNT_TITLE}</h3>
            {move || match me() {
                Some(me) => view! { <SignedIn name=me.display_name role=me.role.label_ja() /> }.into_any(),
                None if status.is_some() => view! { <SignInForm /> }.into_any(),
                None => view! { <p class="setting-note">{text::STORAGE_UNAVAILABLE}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn SignInForm() -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let login_id = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let device_name = RwSignal::new(text::DEFAULT_DEVICE_NAME.to_owned());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get() {
            return;
        }
        if login_id.get().trim().is_empty() || password.get().is_empty() {
            error.set(Some(text::SIGN_IN_MISSING.to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        let request = LoginRequest {
            login_id: login_id.get().trim().to_owned(),
            password: password.get(),
            device_name: device_name.get().trim().to_owned(),
        };
        leptos::task::spawn_local(async move {
            match api::login(&request).await {
                Ok(answer) => {
                    let session = Session {
                        token: answer.token,
                        me: answer.me,
                    };
                    sync.signed_in(session).await;
                    password.set(String::new());
                }
                Err(api::ApiFailure::Offline) => error.set(Some(text::SIGN_IN_OFFLINE.to_owned())),
                Err(failure) => error.set(Some(failure.message_ja())),
            }
            busy.set(false);
        });
    };

    view! {
        <form class="form" on:submit=submit>
            <label class="field">
                <span class="field-label">{text::LOGIN_ID}</span>
                <input type="text" name="login_id" autocomplete="username" autocapitalize="none"
                    bind:value=login_id required />
            </label>
            <label class="field">
                <span class="field-label">{text::PASSWORD}</span>
                <input type="password" name="password" autocomplete="current-password"
                    bind:value=password required />
            </label>
            <label class="field">
                <span class="field-label">{text::DEVICE_NAME}</span>
                <input type="text" name="device_name" maxlength="100" bind:value=device_name />
            </label>
            {move || error.get().map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <button class="button primary" type="submit" data-action="sign-in" disabled=move || busy.get()>
                {text::SIGN_IN}
            </button>
        </form>
    }
}

#[component]
fn SignedIn(name: String, role: &'static str) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let status = expect_context::<SyncStatus>();
    let unsent = move || status.unsent.get();
    let sign_out = move |_: leptos::ev::MouseEvent| {
        // Unsent records would be lost with the sign-out: refuse until they are sent.
        if unsent() > 0 {
            return;
        }
        leptos::task::spawn_local(async move { sync.forget_user(None).await });
    };
    view! {
        <p class="signed-in" data-signed-in="true">{format!("{name}さん（{role}）") } {text::SIGNED_IN_SUFFIX}</p>
        <Show when=move || { unsent() > 0 }>
            <p class="setting-note">{move || text::unsent_before_sign_out(unsent())}</p>
        </Show>
        <button class="button" data-action="sign-out" disabled=move || { unsent() > 0 } on:click=sign_out>
            {text::SIGN_OUT}
        </button>
    }
}
