//! Logging a visit: the usual one (met, fine) is already chosen, so it takes one tap on 保存.

use std::collections::BTreeSet;

use leptos::prelude::*;
use mimamori_core::record::{Body, RecordId};
use mimamori_core::visit::{Outcome, VisitBody, VisitMethod};

use crate::app::AppSync;
use crate::sync::SyncStatus;
use crate::text;

#[component]
pub fn VisitForm(resident_id: String, on_saved: Callback<()>) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let status = expect_context::<SyncStatus>();
    let method = RwSignal::new(VisitMethod::Met);
    let outcome = RwSignal::new(Outcome::Fine);
    let note = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let resident: Option<RecordId> = resident_id.parse().ok();

    let save = move |_| {
        let (Some(resident), Some(me)) = (resident, status.me.get()) else {
            message.set(Some((false, text::SIGN_IN_FIRST.to_owned())));
            return;
        };
        let body = VisitBody {
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
        };
        leptos::task::spawn_local(async move {
            match sync.save(None, None, Body::Visit(body)).await {
                Ok(_) => {
                    // Ready for the next door: back to the usual choices.
                    method.set(VisitMethod::Met);
                    outcome.set(Outcome::Fine);
                    note.set(String::new());
                    message.set(Some((true, text::SAVED.to_owned())));
                    on_saved.run(());
                }
                Err(problem) => message.set(Some((false, problem))),
            }
        });
    };

    view! {
        <div class="visit-form">
            <h3 class="setting-title">{text::LOG_VISIT}</h3>
            <fieldset class="choices">
                <legend>{text::VISIT_METHOD}</legend>
                {VisitMethod::ALL.iter().map(|m| {
                    let m = *m;
                    view! {
                        <button type="button" class="choice" data-method=m.code()
                            aria-pressed=move || (method.get() == m).to_string()
                            on:click=move |_| method.set(m)>{m.label_ja()}</button>
                    }
                }).collect_view()}
            </fieldset>
            <OutcomeChoices outcome=outcome />
            {move || match outcome.get() {
                Outcome::Emergency => Some(view! { <p class="alert" role="alert">{text::ESCALATE_EMERGENCY}</p> }),
                o if o.needs_escalation() => Some(view! { <p class="alert" role="alert">{text::ESCALATE_SAME_DAY}</p> }),
                _ => None,
            }}
            <label class="field">
                <span class="field-label">{text::VISIT_NOTE}</span>
                <textarea name="visit_note" maxlength="1000" rows="3" bind:value=note></textarea>
            </label>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "notice" } else { "alert" } role="status">{m}</p>
            })}
            <button type="button" class="button primary wide" data-action="save-visit" on:click=save>
                {text::SAVE}
            </button>
        </div>
    }
}

/// ようす: one button per outcome, the chosen one pressed. Shared by the visit form and the
/// correction of a refused visit.
#[component]
pub fn OutcomeChoices(outcome: RwSignal<Outcome>) -> impl IntoView {
    view! {
        <fieldset class="choices">
            <legend>{text::VISIT_OUTCOME}</legend>
            {Outcome::ALL.iter().map(|o| {
                let o = *o;
                view! {
                    <button type="button" class="choice" data-outcome=o.code()
                        aria-pressed=move || (outcome.get() == o).to_string()
                        on:click=move |_| outcome.set(o)>{o.label_ja()}</button>
                }
            }).collect_view()}
        </fieldset>
    }
}
