//! Correcting a visit the server refused: its method, outcome and notes, in place in the
//! list of refused records. Sending saves a new version of the same record and takes the
//! refused one out of the quarantine in the same transaction.

use leptos::prelude::*;
use mimamori_core::kinds::{limits, Outcome, VisitMethod};
use mimamori_core::record::Body;
use mimamori_core::sync::replica::Quarantined;

use crate::features::Correcting;
use crate::text;
use crate::widgets::{ChoiceGroup, FormField, FormMessage};

const FIELDS_SHOWN: &[&str] = &["method", "outcome", "note", "resources_note"];

/// A refused visit, in a short form, to correct and send again.
#[component]
pub fn VisitCorrection(refused: Quarantined, on_done: Callback<()>) -> impl IntoView {
    let correcting = Correcting::new(&refused);
    let Body::Visit(visit) = refused.change.body.clone() else {
        return ().into_any();
    };
    let (errors, message) = (correcting.errors, correcting.message);
    let method = RwSignal::new(visit.method);
    let outcome = RwSignal::new(visit.outcome);
    let note = RwSignal::new(visit.note.clone());
    let resources_note = RwSignal::new(visit.resources_note.clone());
    let resend = move |_| {
        let mut corrected = visit.clone();
        corrected.method = method.get_untracked();
        corrected.outcome = outcome.get_untracked();
        corrected.note = note.get_untracked().trim().to_owned();
        corrected.resources_note = resources_note.get_untracked().trim().to_owned();
        correcting.resend(Body::Visit(corrected), FIELDS_SHOWN.to_vec(), on_done);
    };
    view! {
        <div class="visit-form">
            <ChoiceGroup legend=text::VISIT_METHOD options=VisitMethod::ALL.to_vec() chosen=method attribute="method" />
            <ChoiceGroup legend=text::VISIT_OUTCOME options=Outcome::ALL.to_vec() chosen=outcome attribute="outcome" />
            <FormField label=text::RESOURCES_NOTE field="resources_note" errors=errors>
                <input type="text" name="refused_resources_note"
                    maxlength=limits::visit::MAX_RESOURCES_NOTE_CHARS.to_string() bind:value=resources_note />
            </FormField>
            <FormField label=text::VISIT_NOTE field="note" errors=errors>
                <textarea name="refused_note" maxlength=limits::visit::MAX_NOTE_CHARS.to_string() rows="3" bind:value=note></textarea>
            </FormField>
            <FormMessage message=message />
            <button type="button" class="button primary wide" data-action="resend-refused" on:click=resend>
                {text::RESEND}
            </button>
        </div>
    }
    .into_any()
}
