//! The mark a visit's outcome wears wherever it is listed, so that a 緊急 never reads like a
//! 気になる: the word itself in a box (never colour alone), filled red for 緊急.

use leptos::prelude::*;
use mimamori_core::kinds::Outcome;

/// Nothing for an outcome that needs nobody (元気, 不在・異常なし).
#[component]
pub fn UrgencyMark(outcome: Outcome) -> impl IntoView {
    let level = outcome.urgency();
    (level > 0).then(|| {
        view! {
            <span class="urgency-mark" data-urgency=outcome.code()>{outcome.label_ja()}</span>
        }
    })
}
