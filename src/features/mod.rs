//! The app by feature, each with its screens and the reads they need: 見守り (`watch`),
//! サロン (`salons`), 社会資源 (`resources`), 記録 (`reports`), 設定 (`settings`).
//!
//! What every kind of record needs on a screen is routed here by an exhaustive match, so a
//! kind added to the core's list does not compile until it has them: a line saying what a
//! record is, and the form that corrects a refused change of it.

#[cfg(feature = "coordinator")]
pub mod city;
pub mod reports;
pub mod resources;
pub mod salons;
pub mod settings;
pub mod watch;

use leptos::prelude::*;
use mimamori_core::record::{Body, RecordId};
use mimamori_core::sync::replica::Quarantined;

use crate::app::AppSync;
use crate::store::{Draft, SaveError};
use crate::text;
use crate::widgets::{FieldErrors, Message};

/// Saves a form's draft. A refusal by the shared rules marks each field that failed (and
/// lists, in the message, what no field of the form shows); anything else says what
/// happened. Returns the record's id when saved.
pub async fn save_form(
    sync: AppSync,
    draft: Draft,
    fields_shown: &[&str],
    errors: RwSignal<FieldErrors>,
    message: RwSignal<Option<Message>>,
) -> Option<RecordId> {
    errors.set(FieldErrors::default());
    match sync.save_draft(draft).await {
        Ok(id) => Some(id),
        Err(SaveError::Invalid(problems)) => {
            let found = FieldErrors::from_problems(&problems);
            let mut words = vec![text::CHECK_FIELDS.to_owned()];
            words.extend(found.others(fields_shown));
            errors.set(found);
            message.set(Some(Message::Problem(words.join(" "))));
            None
        }
        Err(other) => {
            message.set(Some(Message::Problem(other.message_ja())));
            None
        }
    }
}

/// A text field as a form shows it (empty when unset).
#[cfg(feature = "coordinator")]
pub fn text_of(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// `Some(new)` when the trimmed text differs from what is held (an emptied field clears):
/// what an edit sends, so that two people editing different fields both keep theirs.
#[cfg(feature = "coordinator")]
pub fn changed(held: &Option<String>, typed: String) -> Option<String> {
    let typed = typed.trim().to_owned();
    (typed != text_of(held)).then_some(typed)
}

/// What every form correcting a refused change shares: its fields marked from the refusal,
/// its message, and sending the corrected body as a new version of the same record (which
/// takes the refused one out of the quarantine in the same transaction).
#[derive(Clone, Copy)]
pub struct Correcting {
    sync: AppSync,
    change: StoredValue<mimamori_core::record::Change>,
    pub errors: RwSignal<FieldErrors>,
    pub message: RwSignal<Option<Message>>,
}

impl Correcting {
    pub fn new(refused: &Quarantined) -> Self {
        Self {
            sync: expect_context::<AppSync>(),
            change: StoredValue::new(refused.change.clone()),
            errors: RwSignal::new(FieldErrors::from_problems(&refused.fields)),
            message: RwSignal::new(None),
        }
    }

    /// Sends `body` in place of the refused change; `on_done` once saved.
    pub fn resend(self, body: Body, shown: Vec<&'static str>, on_done: Callback<()>) {
        let change = self.change.get_value();
        let draft = Draft {
            id: Some(change.id),
            base: change.base,
            district: change.district_id,
            corrects: Some(change.stamp),
            ..Draft::new(body)
        };
        leptos::task::spawn_local(async move {
            if save_form(self.sync, draft, &shown, self.errors, self.message)
                .await
                .is_some()
            {
                on_done.run(());
            }
        });
    }
}

/// What a refused record was, in a few words (the kind's own words, from the core).
pub fn summary(body: &Body) -> String {
    format!("{}: {}", body.label_ja(), body.describe_ja())
}

/// The kind's own form, filled with the refused change, saving a correction of it.
pub fn correction_form(refused: Quarantined, on_done: Callback<()>) -> AnyView {
    match &refused.change.body {
        Body::Resident(_) => {
            view! { <watch::ResidentCorrection refused=refused on_done=on_done /> }.into_any()
        }
        Body::Visit(_) => {
            view! { <watch::VisitCorrection refused=refused on_done=on_done /> }.into_any()
        }
        Body::FollowUp(_) => {
            view! { <watch::FollowUpCorrection refused=refused on_done=on_done /> }.into_any()
        }
        // The contacts' form on the desk is short: correcting means typing them again there.
        Body::DistrictInfo(_) => view! {
            <p class="setting-note">{text::CONTACTS_REFUSED}</p>
            <a href="/desk" class="button">{text::DESK_TITLE}</a>
        }
        .into_any(),
        // An entry of the directory is corrected on its own form, as it now is.
        Body::Resource(_) => {
            let href = format!("/resources/{}/edit", refused.change.id);
            view! {
                <p class="setting-note">{text::RESOURCE_REFUSED}</p>
                <a href=href class="button">{text::RESOURCE_EDIT}</a>
            }
            .into_any()
        }
        // A salon's details, members and attendance are typed again on the salon's own
        // screens, which show them as they now are.
        Body::Salon(_) | Body::SalonMember(_) | Body::Attendance(_) => {
            let salon = match &refused.change.body {
                Body::SalonMember(member) => member.salon_id,
                Body::Attendance(taken) => taken.salon_id,
                _ => Some(refused.change.id),
            };
            let href = salon.map_or_else(|| "/salons".to_owned(), |id| format!("/salons/{id}"));
            view! {
                <p class="setting-note">{text::SALON_REFUSED}</p>
                <a href=href class="button">{text::SALON_OPEN}</a>
            }
            .into_any()
        }
    }
}

/// Offers `contents` as a file to save, through a temporary object URL. Whether it could.
pub fn download(file_name: &str, contents: &str, mime: &str) -> bool {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlAnchorElement>(e).ok());
    let Some(anchor) = anchor else {
        return false;
    };
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    true
}
