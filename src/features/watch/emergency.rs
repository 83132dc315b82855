//! Escalation in the moment (domain.md): 緊急 opens a full-screen guide with 119 and 110
//! first, then the district's SC and あんしんセンター; 要連絡 shows whom to call today.
//! The numbers are the ones the district's coordinators keep (never invented): where none
//! is kept, the screen says so instead of showing a button that calls nobody.

use leptos::prelude::*;
use mimamori_core::kinds::DistrictInfoPatch;

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

/// 緊急: over the whole screen at once. The visit is being saved meanwhile; `saved` says
/// how that went.
#[component]
pub fn EmergencyGuide(
    contacts: DistrictInfoPatch,
    saved: RwSignal<Option<Result<(), String>>>,
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
            <p class="call-lead">{text::EMERGENCY_THEN}</p>
            <DistrictCalls contacts=contacts />
            <p class="emergency-saved" role="status" aria-live="polite" data-saved=move || match saved.get() {
                None => "saving",
                Some(Ok(())) => "saved",
                Some(Err(_)) => "failed",
            }>
                {move || match saved.get() {
                    None => text::SAVING.to_owned(),
                    Some(Ok(())) => text::EMERGENCY_SAVED.to_owned(),
                    Some(Err(why)) => why,
                }}
            </p>
            <button type="button" class="button wide" data-action="close-emergency-guide"
                on:click=move |_| on_close.run(())>{text::CLOSE_GUIDE}</button>
        </div>
    }
}
