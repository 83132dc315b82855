//! Logging a visit: the usual one (met, fine) is already chosen, so it takes one tap on 保存.
//! The same form, filled with a refused visit, corrects it.

use std::collections::BTreeSet;

use leptos::prelude::*;
use mimamori_core::kinds::{limits, Outcome, VisitBody, VisitMethod};
use mimamori_core::record::{Body, RecordId};
use mimamori_core::sync::replica::Quarantined;

use crate::app::AppSync;
use crate::engine::SyncStatus;
use crate::features::save_form;
use crate::store::Draft;
use crate::text;
use crate::widgets::{ChoiceGroup, FieldErrors, FormField, FormMessage, Message};

const FIELDS_SHOWN: &[&str] = &["method", "outcome", "note"];

/// What the form starts from: a new visit, or a refused one to correct.
#[derive(Clone)]
enum Start {
    New { resident: Option<RecordId> },
    Correcting(Box<Quarantined>),
}

#[component]
pub fn VisitForm(resident_id: String, on_saved: Callback<()>) -> impl IntoView {
    let start = Start::New {
        resident: resident_id.parse().ok(),
    };
    view! { <VisitFields start=start on_saved=on_saved /> }
}

/// A refused visit, in the visit form, to correct and send again.
#[component]
pub fn VisitCorrection(refused: Quarantined, on_done: Callback<()>) -> impl IntoView {
    view! { <VisitFields start=Start::Correcting(Box::new(refused)) on_saved=on_done /> }
}

#[component]
fn VisitFields(start: Start, on_saved: Callback<()>) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let status = expect_context::<SyncStatus>();
    let initial = match &start {
        Start::Correcting(refused) => match &refused.change.body {
            Body::Visit(visit) => Some(visit.clone()),
            _ => None,
        },
        Start::New { .. } => None,
    };
    let method = RwSignal::new(initial.as_ref().map_or(VisitMethod::Met, |v| v.method));
    let outcome = RwSignal::new(initial.as_ref().map_or(Outcome::Fine, |v| v.outcome));
    let note = RwSignal::new(initial.as_ref().map(|v| v.note.clone()).unwrap_or_default());
    let errors = RwSignal::new(match &start {
        Start::Correcting(refused) => FieldErrors::from_problems(&refused.fields),
        Start::New { .. } => FieldErrors::default(),
    });
    let message = RwSignal::new(None::<Message>);
    let correcting = matches!(start, Start::Correcting(_));

    let save = move |_| {
        let Some(me) = status.me.get() else {
            message.set(Some(Message::Problem(text::SIGN_IN_FIRST.to_owned())));
            return;
        };
        let draft = match &start {
            Start::New { resident } => {
                let Some(resident) = *resident else { return };
                Draft::new(Body::Visit(VisitBody {
                    resident_id: resident,
                    visited_at_ms: js_sys::Date::now() as i64,
                    visitors: vec![me.user_id],
                    method: method.get(),
                    outcome: outcome.get(),
                    signs: BTreeSet::new(),
                    needs: BTreeSet::new(),
                    actions: BTreeSet::new(),
                    referred_resources: Vec::new(),
                    follow_up: None,
                    note: note.get().trim().to_owned(),
                }))
            }
            Start::Correcting(refused) => {
                let change = &refused.change;
                let Body::Visit(mut visit) = change.body.clone() else {
                    return;
                };
                visit.method = method.get();
                visit.outcome = outcome.get();
                visit.note = note.get().trim().to_owned();
                Draft {
                    id: Some(change.id),
                    base: change.base,
                    body: Body::Visit(visit),
                    district: change.district_id,
                    corrects: Some(change.stamp),
                }
            }
        };
        leptos::task::spawn_local(async move {
            if save_form(sync, draft, FIELDS_SHOWN, errors, message)
                .await
                .is_some()
            {
                if !correcting {
                    // Ready for the next door: back to the usual choices.
                    method.set(VisitMethod::Met);
                    outcome.set(Outcome::Fine);
                    note.set(String::new());
                    message.set(Some(Message::Done(text::SAVED.to_owned())));
                }
                on_saved.run(());
            }
        });
    };

    let (title, action, button) = if correcting {
        (None, "resend-refused", text::RESEND)
    } else {
        (Some(text::LOG_VISIT), "save-visit", text::SAVE)
    };
    let note_name = if correcting {
        "refused_note"
    } else {
        "visit_note"
    };
    view! {
        <div class="visit-form">
            {title.map(|title| view! { <h3 class="setting-title">{title}</h3> })}
            <ChoiceGroup legend=text::VISIT_METHOD options=VisitMethod::ALL.to_vec() chosen=method attribute="method" />
            <ChoiceGroup legend=text::VISIT_OUTCOME options=Outcome::ALL.to_vec() chosen=outcome attribute="outcome" />
            {move || match outcome.get() {
                Outcome::Emergency => Some(view! { <p class="alert" role="alert">{text::ESCALATE_EMERGENCY}</p> }),
                o if o.needs_escalation() => Some(view! { <p class="alert" role="alert">{text::ESCALATE_SAME_DAY}</p> }),
                _ => None,
            }}
            <FormField label=text::VISIT_NOTE field="note" errors=errors>
                <textarea name=note_name maxlength=limits::visit::MAX_NOTE_CHARS.to_string() rows="3" bind:value=note></textarea>
            </FormField>
            <FormMessage message=message />
            <button type="button" class="button primary wide" data-action=action on:click=save>
                {button}
            </button>
        </div>
    }
}
