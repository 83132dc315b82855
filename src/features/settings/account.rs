use leptos::prelude::*;
use mimamori_core::api::{ChangePasswordRequest, LoginRequest};
use mimamori_core::record::DistrictId;

use crate::app::AppSync;
use crate::engine::SyncStatus;
use crate::store::Session;
use crate::widgets::{FormMessage, Message};
use crate::{api, text};

/// 設定's account section: the sign-in form, or who is signed in with a way out.
#[component]
pub fn AccountSection() -> impl IntoView {
    let status = use_context::<SyncStatus>();
    // Rebuilt only when someone signs in or out, not when what the server says of them
    // changes (a password change must not wipe its own "changed" notice).
    let signed_in = Memo::new(move |_| {
        status
            .and_then(|s| s.me.get())
            .map(|me| (me.user_id, me.device_id, me.display_name, me.role))
    });
    view! {
        <section class="setting" aria-labelledby="account-title">
            <h3 id="account-title" class="setting-title">{text::ACCOUNT_TITLE}</h3>
            {crate::widgets::dynamic(move || match signed_in.get() {
                Some((_, _, name, role)) => view! {
                    <div class="stack">
                        <SignedIn name=name role=role.label_ja() />
                        <PasswordChange />
                    </div>
                }.into_any(),
                None if status.is_some() => view! { <SignInForm /> }.into_any(),
                None => view! { <p class="setting-note">{text::STORAGE_UNAVAILABLE}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn SignInForm() -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let login_id = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let user_agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    let device_name = RwSignal::new(mimamori_core::account::default_device_name(
        &user_agent,
        crate::local_time::today(),
    ));
    let nav = crate::nav::use_location();
    let message = RwSignal::new(None::<Message>);
    let busy = RwSignal::new(false);
    let problem = move |text: String| message.set(Some(Message::Problem(text)));

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get() {
            return;
        }
        if login_id.get().trim().is_empty() || password.get().is_empty() {
            problem(text::SIGN_IN_MISSING.to_owned());
            return;
        }
        if let Some(why) = mimamori_core::account::device_name_problem(&device_name.get()) {
            problem(why);
            return;
        }
        busy.set(true);
        message.set(None);
        let request = LoginRequest {
            // The same form the server compares: 全角 letters and stray spaces forgiven.
            login_id: mimamori_core::account::normalize_login_id(&login_id.get()),
            password: password.get(),
            device_name: device_name.get().trim().to_owned(),
        };
        leptos::task::spawn_local(async move {
            match api::login(&request).await {
                Ok(answer) => {
                    // Every district's name (to say where a salon is), and theirs, for
                    // choosing one later with no signal.
                    let all_districts = api::districts().await.unwrap_or_default();
                    let districts = all_districts
                        .iter()
                        .filter(|d| answer.me.districts.contains(&DistrictId(d.id)))
                        .cloned()
                        .collect();
                    let session = Session {
                        token: answer.token,
                        me: answer.me,
                        districts,
                        people: Vec::new(),
                        all_districts,
                    };
                    let temporary = session.me.must_change_password;
                    sync.signed_in(session).await;
                    password.set(String::new());
                    // Straight to the list; a temporary password is replaced here first.
                    if !temporary {
                        nav.navigate("/");
                    }
                }
                Err(api::ApiFailure::Offline) => problem(text::SIGN_IN_OFFLINE.to_owned()),
                Err(failure) => problem(failure.message_ja()),
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
            <FormMessage message=message />
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
    let store = expect_context::<crate::app::AppStore>();
    let unsent = move || status.unsent.get();
    let confirming = RwSignal::new(false);
    let sign_out_now =
        move || leptos::task::spawn_local(async move { sync.forget_user(None).await });
    let ask = move |_: leptos::ev::MouseEvent| {
        // Unsent records would leave with the sign-out: ask first.
        if unsent() > 0 {
            confirming.set(true);
        } else {
            sign_out_now();
        }
    };
    let exported = RwSignal::new(None::<Message>);
    let export = move |_: leptos::ev::MouseEvent| {
        leptos::task::spawn_local(async move {
            let Some(store) = store.get() else { return };
            let Ok(changes) = store.next_batch(u32::MAX).await else {
                exported.set(Some(Message::Problem(text::STORAGE_FAILED.to_owned())));
                return;
            };
            let names = mimamori_core::order::map_of(
                crate::features::watch::queries::residents(&store)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| (r.id, r.name)),
            );
            let csv = mimamori_core::export::unsent_csv(
                &changes,
                &names,
                |ms| crate::local_time::minute_at(ms as f64),
                crate::local_time::today(),
            );
            let file = text::unsent_file_name(&crate::local_time::today().to_string());
            exported.set(Some(
                if crate::features::download(&file, &csv, "text/csv;charset=utf-8") {
                    Message::Done(text::unsent_exported(changes.len(), &file))
                } else {
                    Message::Problem(text::EXPORT_FAILED.to_owned())
                },
            ));
        });
    };
    view! {
        <p class="signed-in" data-signed-in="true">{format!("{name}さん（{role}）")} {text::SIGNED_IN_SUFFIX}</p>
        {crate::widgets::shown_when_else(move || !confirming.get(), move || view! {
                <button class="button" data-action="sign-out" on:click=ask>{text::SIGN_OUT}</button>
            }.into_any(), move || view! {
            <div class="confirm" role="alertdialog" aria-labelledby="sign-out-question">
                <p id="sign-out-question">{move || text::unsent_before_sign_out(unsent())}</p>
                <button class="button" data-action="export-unsent" on:click=export>{text::EXPORT_UNSENT}</button>
                <FormMessage message=exported />
                <button class="button" data-action="sign-out-anyway"
                    on:click=move |_| { confirming.set(false); sign_out_now(); }>
                    {text::SIGN_OUT_ANYWAY}
                </button>
                <button class="button primary" data-action="keep-signed-in" on:click=move |_| confirming.set(false)>
                    {text::KEEP_SIGNED_IN}
                </button>
            </div>
        }.into_any())}
    }
}

/// Changing one's password: open by itself while the password is the temporary one an
/// administrator printed, behind a button otherwise.
#[component]
fn PasswordChange() -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let status = expect_context::<SyncStatus>();
    let required = move || {
        status
            .me
            .with(|me| me.as_ref().is_some_and(|me| me.must_change_password))
    };
    let open = RwSignal::new(required());
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Message>);
    let busy = RwSignal::new(false);
    let problem = move |text: String| message.set(Some(Message::Problem(text)));

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get() {
            return;
        }
        let (current_password, new_password) = (current.get(), new.get());
        if new_password != again.get() {
            problem(text::PASSWORDS_DIFFER.to_owned());
            return;
        }
        if let Some(why) =
            mimamori_core::account::new_password_problem(&new_password, &current_password)
        {
            problem(why);
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = ChangePasswordRequest {
                current_password,
                new_password,
            };
            let outcome = match sync.token().await {
                Some(token) => api::change_password(&token, &request).await,
                None => Err(api::ApiFailure::Unauthorized),
            };
            match outcome {
                Ok(me) => match sync.update_me(me).await {
                    Ok(()) => {
                        for field in [current, new, again] {
                            field.set(String::new());
                        }
                        open.set(false);
                        message.set(Some(Message::Done(text::PASSWORD_CHANGED.to_owned())));
                    }
                    Err(why) => problem(why),
                },
                Err(api::ApiFailure::Offline) => problem(text::PASSWORD_NEEDS_SIGNAL.to_owned()),
                // The form has no login id: say which of its fields was wrong.
                Err(api::ApiFailure::Server {
                    code: Some(mimamori_core::api::ErrorCode::InvalidCredentials),
                    ..
                }) => problem(text::WRONG_CURRENT_PASSWORD.to_owned()),
                Err(failure) => problem(failure.message_ja()),
            }
            busy.set(false);
        });
    };

    view! {
        {move || required().then(|| view! { <p class="alert" role="alert">{text::TEMPORARY_PASSWORD}</p> })}
        {crate::widgets::shown_when_else(move || !open.get(), move || view! {
                <button class="button" data-action="change-password" on:click=move |_| open.set(true)>
                    {text::CHANGE_PASSWORD}
                </button>
            }.into_any(), move || view! {
            <form class="form" on:submit=submit>
                <label class="field">
                    <span class="field-label">{text::CURRENT_PASSWORD}</span>
                    <input type="password" name="current_password" autocomplete="current-password"
                        bind:value=current required />
                </label>
                <label class="field">
                    <span class="field-label">{text::NEW_PASSWORD}</span>
                    <input type="password" name="new_password" autocomplete="new-password"
                        bind:value=new required />
                </label>
                <label class="field">
                    <span class="field-label">{text::NEW_PASSWORD_AGAIN}</span>
                    <input type="password" name="new_password_again" autocomplete="new-password"
                        bind:value=again required />
                </label>
                <div class="button-row">
                    <button class="button primary" type="submit" data-action="save-password" disabled=move || busy.get()>
                        {text::CHANGE_PASSWORD}
                    </button>
                    // While the password is the temporary one, the form stays: it must be changed.
                    {crate::widgets::shown_when(move || !required(), move || view! {
                        <button class="button" type="button" data-action="cancel-password"
                            on:click=move |_| { open.set(false); message.set(None); }>
                            {text::CANCEL}
                        </button>
                    }.into_any())}
                </div>
            </form>
        }.into_any())}
        <FormMessage message=message />
    }
}
