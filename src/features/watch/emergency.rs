//! Escalation in the moment (domain.md): 緊急 opens a full-screen guide with 119 and 110
//! first, then the resident's own 緊急連絡先 (family), then the district's SC and あんしんセンター;
//! 要連絡 shows whom to call today.
//! The numbers are the ones the district's coordinators keep (never invented): where none
//! is kept, the screen says so instead of showing a button that calls nobody.

use leptos::prelude::*;
use mimamori_core::kinds::{DistrictInfoPatch, EmergencyContact};

use crate::text;

/// A `tel:` link for a number as people write it (「027-321-1319」).
pub fn tel(number: &str) -> String {
    let digits: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{digits}")
}

/// The district's SC and あんしんセンター, each a call button when a number is kept.
#[component]
fn DistrictCalls(contacts: DistrictInfoPatch) -> impl IntoView {
    let line = |who: String, number: Option<String>, action: &'static str| match number
        .filter(|n| !n.trim().is_empty())
    {
        Some(number) => {
            let href = tel(&number);
            view! {
            <a class="button call-button" href=href data-action=action>
                <span>{who}</span><span class="call-number">{number}</span>
            </a>
            }
            .into_any()
        }
        None => view! { <p class="setting-note">{text::no_number(&who)}</p> }.into_any(),
    };
    let sc = text::sc_called(contacts.sc_name.as_deref().unwrap_or_default());
    let center = contacts
        .center_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| text::ANSHIN_CENTER.to_owned());
    view! {
        {line(sc, contacts.sc_phone.clone(), "call-sc")}
        {line(center, contacts.center_phone.clone(), "call-center")}
    }
}

/// 要連絡: call the SC today.
#[component]
pub fn CallPanel(contacts: DistrictInfoPatch) -> impl IntoView {
    view! {
        <div class="call-panel" role="status">
            <p class="call-lead">{text::MUST_REPORT_TODAY}</p>
            <DistrictCalls contacts=contacts />
        </div>
    }
}

/// The resident's own 緊急連絡先 (family, as the SC or volunteer registered them): a call
/// button when a number is kept, else what is known and that no number is.
#[component]
fn FamilyCall(contact: Option<EmergencyContact>) -> impl IntoView {
    let contact = contact.filter(|c| !c.name.trim().is_empty() || !c.phone.trim().is_empty());
    let Some(contact) = contact else {
        return view! { <p class="setting-note" data-family="none">{text::NO_FAMILY_CONTACT}</p> }
            .into_any();
    };
    let who = text::family_called(&contact.name, &contact.relation);
    if contact.phone.trim().is_empty() {
        return view! { <p class="setting-note" data-family="no-number">{text::no_number(&who)}</p> }
            .into_any();
    }
    let href = tel(&contact.phone);
    view! {
        <a class="button call-button" href=href data-action="call-family">
            <span>{who}</span><span class="call-number">{contact.phone}</span>
        </a>
    }
    .into_any()
}

/// Where a 緊急 saved at once stands: being saved, saved (and undoable), or not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuideRecord {
    Saving,
    Saved,
    Failed(String),
    /// The guide was opened on a visit not saved from it (a correction, or 緊急 tapped
    /// again): 保存する on the form saves it.
    NotSavedHere,
}

/// 緊急: over the whole screen at once. The visit is being saved meanwhile; `record` says
/// how that went, and a mis-tap is undone from here (`on_undo`).
#[component]
pub fn EmergencyGuide(
    contacts: DistrictInfoPatch,
    family: Option<EmergencyContact>,
    record: RwSignal<GuideRecord>,
    on_undo: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="emergency" role="alertdialog" aria-modal="true" aria-labelledby="emergency-title">
            <h2 id="emergency-title" class="emergency-title">{text::EMERGENCY_TITLE}</h2>
            <a class="button emergency-call" href="tel:119" data-action="call-119">
                <span class="call-number">"119"</span><span>{text::CALL_119}</span>
            </a>
            <a class="button emergency-call" href="tel:110" data-action="call-110">
                <span class="call-number">"110"</span><span>{text::CALL_110}</span>
            </a>
            <p class="emergency-rule">{text::DO_NOT_ENTER_ALONE}</p>
            <p class="call-lead">{text::FAMILY_THEN}</p>
            <FamilyCall contact=family />
            <p class="call-lead">{text::EMERGENCY_THEN}</p>
            <DistrictCalls contacts=contacts />
            <p class="emergency-saved" role="status" aria-live="polite" data-saved=move || match record.get() {
                GuideRecord::Saving => "saving",
                GuideRecord::Saved => "saved",
                GuideRecord::Failed(_) => "failed",
                GuideRecord::NotSavedHere => "not-saved-here",
            }>
                {move || match record.get() {
                    GuideRecord::Saving => text::SAVING.to_owned(),
                    GuideRecord::Saved => text::EMERGENCY_SAVED.to_owned(),
                    GuideRecord::Failed(why) => why,
                    GuideRecord::NotSavedHere => text::EMERGENCY_SAVE_ON_FORM.to_owned(),
                }}
            </p>
            {crate::widgets::shown_when(move || record.get() == GuideRecord::Saved, move || view! {
                <button type="button" class="button wide" data-action="undo-emergency"
                    on:click=move |_| on_undo.run(())>{text::UNDO_EMERGENCY}</button>
            }.into_any())}
            <button type="button" class="button wide" data-action="close-emergency-guide"
                on:click=move |_| on_close.run(())>{text::CLOSE_GUIDE}</button>
        </div>
    }
}
