//! フォローアップ: what someone said they would do for a resident (bring the 配食 leaflet,
//! call the daughter), by when. My open ones, overdue first; done with a short note.

use leptos::prelude::*;
use mimamori_core::kinds::{limits, FollowUpPatch};
use mimamori_core::record::Body;
use mimamori_core::sync::replica::Quarantined;
use mimamori_core::watch::FollowUpRow;

use super::queries;
use crate::app::{AppStore, AppSync};
use crate::features::{save_form, Correcting};
use crate::store::Draft;
use crate::widgets::{load, FieldErrors, FormField, FormMessage, Loading, Message};
use crate::{local_time, text};

/// `/follow-ups`: mine, overdue first.
#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let items = load(
        || (),
        move |()| async move {
            let store = store.get()?;
            let me = queries::people(&store).await.me?;
            queries::follow_ups(&store, Some(me)).await.ok()
        },
    );
    view! {
        <section class="page">
            <h2 class="page-title">{text::FOLLOW_UPS_TITLE}</h2>
            <p class="setting-note">{text::FOLLOW_UPS_HELP}</p>
            {crate::widgets::dynamic(move || match items.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! { <p class="empty-message">{text::SIGN_IN_FIRST}</p> }.into_any(),
                Some(Some(items)) if items.is_empty() => {
                    view! { <p class="empty-message">{text::FOLLOW_UPS_EMPTY}</p> }.into_any()
                }
                Some(Some(items)) => view! {
                    <ul class="list">
                        {items.into_iter().map(|item| view! {
                            <li><FollowUpCard row=item.row resident=Some(item.resident) owner=None /></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
            <a href="/" class="button">{text::BACK_TO_LIST}</a>
        </section>
    }
}

/// One follow-up: what, for whom, by when; 済みにする asks for a short note and saves it.
#[component]
pub fn FollowUpCard(
    row: FollowUpRow,
    /// The resident's name, where the list mixes residents.
    resident: Option<String>,
    /// Whose it is, where the list mixes owners.
    owner: Option<String>,
) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let status = expect_context::<crate::engine::SyncStatus>();
    // Its owner and the SC close it (the server's rule; its maker too, rarely the one asking).
    let may_finish = status
        .me
        .get_untracked()
        .is_some_and(|me| row.owner == Some(me.user_id) || me.role.is_coordinator());
    let today = local_time::today();
    let due = row.due_text(today);
    let overdue = row.due.is_some_and(|d| d < today);
    let closing = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Message>);
    let done = RwSignal::new(false);
    let (id, base) = (row.id, row.base);
    let finish = move |_| {
        let patch = FollowUpPatch {
            done: Some(true),
            done_note: Some(note.get_untracked().trim().to_owned()),
            done_on: Some(local_time::today()),
            ..FollowUpPatch::default()
        };
        // An edit of what this phone shows of it (not a new record: one without its
        // resident and words would be refused as incomplete).
        let draft = Draft {
            id: Some(id),
            base,
            ..Draft::new(Body::FollowUp(patch))
        };
        leptos::task::spawn_local(async move {
            if save_form(sync, draft, &["done_note"], errors, message)
                .await
                .is_some()
            {
                done.set(true);
            }
        });
    };
    view! {
        <div class="follow-up" data-follow-up=id.to_string() data-overdue=overdue.to_string()>
            <p class="follow-up-what">{row.what.clone()}</p>
            {resident.filter(|r| !r.is_empty()).map(|name| {
                let link = row.resident_id.map(|r| format!("/residents/{r}")).unwrap_or_default();
                view! { <a href=link class="follow-up-for">{text::honorific(&name)}</a> }
            })}
            {owner.filter(|o| !o.is_empty()).map(|o| view! { <p class="follow-up-owner">{text::owned_by(&o)}</p> })}
            {due.map(|due| view! { <p class="follow-up-due">{if overdue { "⚠ " } else { "" }}{due}</p> })}
            {crate::widgets::shown_when(move || done.get(), move || view! {
                <p class="notice" role="status">{text::FOLLOW_UP_DONE}</p>
            }.into_any())}
            {crate::widgets::shown_when(move || may_finish && !done.get() && !closing.get(), move || view! {
                <button type="button" class="button" data-action="finish-follow-up"
                    on:click=move |_| closing.set(true)>{text::FINISH_FOLLOW_UP}</button>
            }.into_any())}
            {crate::widgets::shown_when(move || !done.get() && closing.get(), move || view! {
                <FormField label=text::DONE_NOTE field="done_note" errors=errors>
                    <input type="text" name="done_note" maxlength=limits::follow_up::MAX_DONE_NOTE_CHARS.to_string() bind:value=note />
                </FormField>
                <FormMessage message=message />
                <div class="button-row">
                    <button type="button" class="button primary" data-action="confirm-finish-follow-up" on:click=finish>
                        {text::FINISH_FOLLOW_UP_CONFIRM}
                    </button>
                    <button type="button" class="button" on:click=move |_| closing.set(false)>{text::CANCEL}</button>
                </div>
            }.into_any())}
        </div>
    }
}

/// A refused follow-up, to correct and send again: its words and date.
#[component]
pub fn FollowUpCorrection(refused: Quarantined, on_done: Callback<()>) -> impl IntoView {
    let correcting = Correcting::new(&refused);
    let Body::FollowUp(patch) = refused.change.body.clone() else {
        return ().into_any();
    };
    let (errors, message) = (correcting.errors, correcting.message);
    let what = RwSignal::new(patch.what.clone().unwrap_or_default());
    let note = RwSignal::new(patch.done_note.clone().unwrap_or_default());
    let resend = move |_| {
        let mut corrected = patch.clone();
        if corrected.what.is_some() {
            corrected.what = Some(what.get_untracked().trim().to_owned());
        }
        if corrected.done_note.is_some() {
            corrected.done_note = Some(note.get_untracked().trim().to_owned());
        }
        correcting.resend(
            Body::FollowUp(corrected),
            vec!["what", "done_note"],
            on_done,
        );
    };
    view! {
        <FormField label=text::FOLLOW_UP_WHAT field="what" errors=errors>
            <input type="text" name="refused_what" bind:value=what />
        </FormField>
        <FormField label=text::DONE_NOTE field="done_note" errors=errors>
            <input type="text" name="refused_done_note" bind:value=note />
        </FormField>
        <FormMessage message=message />
        <button type="button" class="button primary" data-action="resend-refused" on:click=resend>
            {text::RESEND}
        </button>
    }
    .into_any()
}
