//! The visit: method and outcome already on the usual (面会・元気), so that 保存する is the
//! whole visit for the usual case; everything else one tap away (気づき, 困りごと, 対応,
//! 資源, a follow-up, co-visitors, a note). 緊急 saves a new visit at once (someone must hear
//! of it even if the phone is dropped) and opens the guide, where a mis-tap is undone; 要連絡
//! shows whom to call today. What is typed is kept as a draft in IndexedDB as it is typed,
//! and dropped only by saving or by 「下書きを捨てる」. The same screen corrects one's own
//! visit (a new version of the same record).

use std::collections::BTreeSet;
use std::time::Duration;

use crate::screens::use_params_map;
use leptos::prelude::*;
use mimamori_core::calendar::CivilDate;
use mimamori_core::hlc::Hlc;
use mimamori_core::kinds::{
    limits, Action, DistrictInfoPatch, EmergencyContact, FollowUpPatch, Need, Outcome, VisitBody,
    VisitMethod, VisitPlan, WarningSign,
};
use mimamori_core::record::{Body, Change, RecordId, RecordKind, UserId};
use mimamori_core::watch::diagnosis_hint;
use serde::{Deserialize, Serialize};

use super::emergency::{CallPanel, EmergencyGuide, GuideRecord};
use super::queries::{self, visit_draft_key, People};
use crate::app::{AppStore, AppSync, Flash};
use crate::engine::new_record_id;
use crate::store::{Draft, SaveError};
use crate::text;
use crate::widgets::{
    ChecklistGroup, ChoiceGroup, FieldErrors, FormField, FormMessage, Loading, Message,
};

/// Fields of the two records this form saves, as problems name them.
const FIELDS_SHOWN: &[&str] = &[
    "method",
    "outcome",
    "note",
    "resources_note",
    "visitors",
    "follow_up.next_visit",
    "what",
    "due",
    "owner",
];

/// What was saved already from this form (緊急 saves at once; a later 保存 corrects it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Saved {
    visit: RecordId,
    visit_stamp: Hlc,
    /// When the visit happened: a correction keeps it.
    visited_at_ms: i64,
    follow_up: Option<(RecordId, Hlc)>,
}

/// Whom a follow-up goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Owner {
    Me,
    Person(UserId),
}

/// Everything the form holds, as kept in the draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Typed {
    method: VisitMethod,
    outcome: Outcome,
    signs: BTreeSet<WarningSign>,
    needs: BTreeSet<Need>,
    actions: BTreeSet<Action>,
    /// Entries of the directory introduced (drafts from before they could be named have none).
    #[serde(default)]
    referred_resources: Vec<RecordId>,
    resources_note: String,
    follow_up_what: String,
    /// `YYYY-MM-DD` as the date input gives it ("" when not set).
    follow_up_due: String,
    follow_up_owner: Owner,
    next_visit: String,
    co_visitors: BTreeSet<UserId>,
    note: String,
    saved: Option<Saved>,
}

impl Default for Typed {
    fn default() -> Self {
        Self {
            method: VisitMethod::Met,
            outcome: Outcome::Fine,
            signs: BTreeSet::new(),
            needs: BTreeSet::new(),
            actions: BTreeSet::new(),
            referred_resources: Vec::new(),
            resources_note: String::new(),
            follow_up_what: String::new(),
            follow_up_due: String::new(),
            follow_up_owner: Owner::Me,
            next_visit: String::new(),
            co_visitors: BTreeSet::new(),
            note: String::new(),
            saved: None,
        }
    }
}

impl Typed {
    /// A saved visit, as the form shows it for correcting.
    fn of_visit(visit: &VisitBody, change: &Change, me: Option<UserId>) -> Self {
        Self {
            method: visit.method,
            outcome: visit.outcome,
            signs: visit.signs.clone(),
            needs: visit.needs.clone(),
            actions: visit.actions.clone(),
            referred_resources: visit.referred_resources.clone(),
            resources_note: visit.resources_note.clone(),
            next_visit: visit
                .follow_up
                .as_ref()
                .and_then(|p| p.next_visit)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            co_visitors: mimamori_core::order::set_of(
                visit.visitors.iter().copied().filter(|v| Some(*v) != me),
            ),
            note: visit.note.clone(),
            saved: Some(Saved {
                visit: change.id,
                visit_stamp: change.stamp,
                visited_at_ms: visit.visited_at_ms,
                follow_up: None,
            }),
            ..Self::default()
        }
    }
}

/// The form's fields, one signal each, so that a tap redraws only its own buttons.
#[derive(Clone, Copy)]
struct Fields {
    method: RwSignal<VisitMethod>,
    outcome: RwSignal<Outcome>,
    signs: RwSignal<BTreeSet<WarningSign>>,
    needs: RwSignal<BTreeSet<Need>>,
    actions: RwSignal<BTreeSet<Action>>,
    referred_resources: RwSignal<Vec<RecordId>>,
    resources_note: RwSignal<String>,
    follow_up_what: RwSignal<String>,
    follow_up_due: RwSignal<String>,
    follow_up_owner: RwSignal<Owner>,
    next_visit: RwSignal<String>,
    co_visitors: RwSignal<BTreeSet<UserId>>,
    note: RwSignal<String>,
    saved: RwSignal<Option<Saved>>,
}

impl Fields {
    fn new() -> Self {
        let t = Typed::default();
        Self {
            method: RwSignal::new(t.method),
            outcome: RwSignal::new(t.outcome),
            signs: RwSignal::new(t.signs),
            needs: RwSignal::new(t.needs),
            actions: RwSignal::new(t.actions),
            referred_resources: RwSignal::new(t.referred_resources),
            resources_note: RwSignal::new(t.resources_note),
            follow_up_what: RwSignal::new(t.follow_up_what),
            follow_up_due: RwSignal::new(t.follow_up_due),
            follow_up_owner: RwSignal::new(t.follow_up_owner),
            next_visit: RwSignal::new(t.next_visit),
            co_visitors: RwSignal::new(t.co_visitors),
            note: RwSignal::new(t.note),
            saved: RwSignal::new(t.saved),
        }
    }

    /// What the form holds now (tracked: an effect reading it runs again on every change).
    fn typed(&self) -> Typed {
        Typed {
            method: self.method.get(),
            outcome: self.outcome.get(),
            signs: self.signs.get(),
            needs: self.needs.get(),
            actions: self.actions.get(),
            referred_resources: self.referred_resources.get(),
            resources_note: self.resources_note.get(),
            follow_up_what: self.follow_up_what.get(),
            follow_up_due: self.follow_up_due.get(),
            follow_up_owner: self.follow_up_owner.get(),
            next_visit: self.next_visit.get(),
            co_visitors: self.co_visitors.get(),
            note: self.note.get(),
            saved: self.saved.get(),
        }
    }

    fn set(&self, t: Typed) {
        self.method.set(t.method);
        self.outcome.set(t.outcome);
        self.signs.set(t.signs);
        self.needs.set(t.needs);
        self.actions.set(t.actions);
        self.referred_resources.set(t.referred_resources);
        self.resources_note.set(t.resources_note);
        self.follow_up_what.set(t.follow_up_what);
        self.follow_up_due.set(t.follow_up_due);
        self.follow_up_owner.set(t.follow_up_owner);
        self.next_visit.set(t.next_visit);
        self.co_visitors.set(t.co_visitors);
        self.note.set(t.note);
        self.saved.set(t.saved);
    }
}

/// Everything the screen needs before the form can show.
#[derive(Clone)]
struct Ready {
    resident: RecordId,
    name: String,
    people: People,
    contacts: DistrictInfoPatch,
    /// The resident's own 緊急連絡先, for the guide.
    family: Option<EmergencyContact>,
    /// What the form starts from: a draft, a visit being corrected, or the usual.
    start: Typed,
    restored: bool,
}

/// `/residents/:id/visit`: a new visit (or the draft of one).
#[component]
pub fn VisitPage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<RecordId>().ok());
    view! { <VisitScreen resident=id editing=None /> }
}

/// `/visits/:id/edit`: correcting one's own visit.
#[component]
pub fn VisitEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<RecordId>().ok());
    view! { <VisitScreen resident=None editing=id /> }
}

/// Reads what the form needs, once: a sync while typing must never replace what is typed.
async fn read_ready(resident: Option<RecordId>, editing: Option<RecordId>) -> Option<Ready> {
    let store = expect_context::<AppStore>().get()?;
    let people = queries::people(&store).await;
    let (resident, edited) = match editing {
        Some(visit_id) => {
            let (visit, change) = queries::visit(&store, visit_id).await.ok().flatten()?;
            // Only its author corrects a visit (the rule the server applies too).
            if Some(change.author) != people.me {
                return None;
            }
            (
                visit.resident_id,
                Some(Typed::of_visit(&visit, &change, people.me)),
            )
        }
        None => (resident?, None),
    };
    let view = queries::resident(&store, resident).await.ok().flatten()?;
    let contacts = match view.district {
        Some(district) => queries::contacts(&store, district)
            .await
            .map(|(c, _)| c)
            .unwrap_or_default(),
        None => DistrictInfoPatch::default(),
    };
    let draft = store
        .form_draft(&visit_draft_key(resident))
        .await
        .ok()
        .flatten()
        .and_then(|value| serde_json::from_value::<Typed>(value).ok())
        // A draft of another visit's correction is not this one's.
        .filter(|draft| match (&edited, &draft.saved) {
            (Some(edited), Some(saved)) => edited.saved.map(|s| s.visit) == Some(saved.visit),
            (Some(_), None) => false,
            (None, _) => true,
        });
    let restored = draft.is_some();
    Some(Ready {
        resident,
        name: view.resident.name,
        people,
        contacts,
        family: view.resident.patch.emergency_contact,
        start: draft.or(edited).unwrap_or_default(),
        restored,
    })
}

#[component]
fn VisitScreen(resident: Option<RecordId>, editing: Option<RecordId>) -> impl IntoView {
    let ready = crate::widgets::load_once(move || read_ready(resident, editing));
    view! {
        <section class="page visit-page">
            {crate::widgets::dynamic(move || match ready.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! {
                    <p class="empty-message">{text::RECORD_NOT_FOUND}</p>
                    <a href="/" class="button">{text::BACK_TO_LIST}</a>
                }.into_any(),
                Some(Some(ready)) => view! { <VisitForm ready=ready editing=editing.is_some() /> }.into_any(),
            })}
        </section>
    }
}

fn parse_date(text: &str) -> Option<CivilDate> {
    text.trim().parse().ok()
}

#[component]
fn VisitForm(ready: Ready, editing: bool) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let store = expect_context::<AppStore>();
    let flash = expect_context::<Flash>();
    let nav = crate::nav::use_location();
    let Ready {
        resident,
        name,
        people,
        contacts,
        family,
        start,
        restored,
    } = ready;
    let fields = Fields::new();
    fields.set(start);
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(restored.then(|| Message::Done(text::DRAFT_RESTORED.to_owned())));
    let has_draft = RwSignal::new(restored);
    let confirm_discard = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let guide_open = RwSignal::new(false);
    let guide_record = RwSignal::new(GuideRecord::Saving);
    // A 緊急 saved from this form that a mis-tap may take back, and the outcome chosen
    // before it (what the form returns to).
    let undoable = RwSignal::new(false);
    let calm_outcome = StoredValue::new(match fields.outcome.get_untracked() {
        Outcome::Emergency => Outcome::Fine,
        other => other,
    });
    let draft_key = visit_draft_key(resident);

    // The draft: written a moment after each change, so that a call, a locked screen, a
    // reload or a crash loses nothing typed. The first run only notes the start.
    let pending = StoredValue::new_local(None::<gloo_timers::callback::Timeout>);
    let untouched = Typed::default();
    {
        let draft_key = draft_key.clone();
        Effect::new(move |first: Option<()>| {
            let typed = fields.typed();
            if first.is_none() {
                return;
            }
            let key = draft_key.clone();
            let blank = typed == untouched;
            has_draft.set(!blank);
            let write = move || {
                let Some(store) = store.get() else { return };
                leptos::task::spawn_local(async move {
                    let _ = if blank {
                        store.drop_form_draft(&key).await
                    } else {
                        match serde_json::to_value(&typed) {
                            Ok(value) => store.keep_form_draft(&key, &value).await,
                            Err(_) => Ok(()),
                        }
                    };
                });
            };
            pending.set_value(Some(gloo_timers::callback::Timeout::new(
                DRAFT_DELAY.as_millis() as u32,
                write,
            )));
        });
    }

    // What the form would save, or `None` with what is wrong marked and said.
    let me = people.me;
    let form_drafts = move || -> Option<(Typed, Vec<Draft>)> {
        let Some(me) = me else {
            message.set(Some(Message::Problem(text::SIGN_IN_FIRST.to_owned())));
            return None;
        };
        let typed = fields.typed_untracked();
        match drafts_of(&typed, resident, me) {
            Ok(drafts) => Some((typed, drafts)),
            Err(problems) => {
                errors.set(problems);
                message.set(Some(Message::Problem(text::CHECK_FIELDS.to_owned())));
                None
            }
        }
    };
    let name_for_flash = name.clone();
    let save = {
        let draft_key = draft_key.clone();
        move |emergency: bool| {
            if saving.get_untracked() {
                return;
            }
            let Some((typed, drafts)) = form_drafts() else {
                return;
            };
            saving.set(true);
            errors.set(FieldErrors::default());
            // The timer must not write the draft back after the save dropped it.
            pending.set_value(None);
            let draft_key = draft_key.clone();
            let flash_text = text::visit_saved(&name_for_flash);
            leptos::task::spawn_local(async move {
                let result = sync.save_changes(drafts, Some(draft_key)).await;
                saving.set(false);
                match result {
                    Ok(changes) => {
                        if emergency {
                            // The guide stays; what is typed next corrects this visit.
                            fields.saved.set(saved_of(&changes, &typed));
                            has_draft.set(false);
                            undoable.set(true);
                            guide_record.set(GuideRecord::Saved);
                        } else {
                            flash.show(flash_text);
                            // A correction was made from the resident's page: back there.
                            if editing {
                                nav.navigate(&format!("/residents/{resident}"));
                            } else {
                                nav.navigate("/");
                            }
                        }
                    }
                    Err(error) => {
                        let words = match error {
                            SaveError::Invalid(problems) => {
                                let found = FieldErrors::from_problems(&problems);
                                let mut words = vec![text::CHECK_FIELDS.to_owned()];
                                words.extend(found.others(FIELDS_SHOWN));
                                errors.set(found);
                                words.join(" ")
                            }
                            other => other.message_ja(),
                        };
                        if emergency {
                            guide_record.set(GuideRecord::Failed(words.clone()));
                        }
                        message.set(Some(Message::Problem(words)));
                    }
                }
            });
        }
    };
    let save_now = save.clone();
    let on_outcome = Callback::new(move |outcome: Outcome| {
        message.set(None);
        if outcome != Outcome::Emergency {
            calm_outcome.set_value(outcome);
            return;
        }
        guide_open.set(true);
        if undoable.get_untracked() {
            guide_record.set(GuideRecord::Saved);
        } else if editing || fields.saved.get_untracked().is_some() {
            // A visit already saved is corrected by 保存する, as any other change to it.
            guide_record.set(GuideRecord::NotSavedHere);
        } else {
            guide_record.set(GuideRecord::Saving);
            save_now(true);
        }
    });
    // A mis-tapped 緊急: the visit (and a follow-up saved with it) is deleted, and the form
    // is as it was before the tap, with everything typed kept.
    let undo = Callback::new(move |()| {
        if saving.get_untracked() || !undoable.get_untracked() {
            return;
        }
        let Some((_, drafts)) = form_drafts() else {
            // What is wrong is marked on the form, under the guide.
            guide_open.set(false);
            return;
        };
        let deletions: Vec<Draft> = drafts
            .into_iter()
            .map(|draft| Draft {
                deleted: true,
                ..draft
            })
            .collect();
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = sync.save_changes(deletions, None).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    undoable.set(false);
                    fields.saved.set(None);
                    fields.outcome.set(calm_outcome.get_value());
                    guide_open.set(false);
                    message.set(Some(Message::Done(text::EMERGENCY_UNDONE.to_owned())));
                }
                Err(error) => {
                    guide_record.set(GuideRecord::Failed(error.message_ja()));
                }
            }
        });
    });
    let discard = {
        let draft_key = draft_key.clone();
        move |_| {
            pending.set_value(None);
            let key = draft_key.clone();
            let kept_saved = fields.saved.get_untracked();
            fields.set(Typed {
                saved: kept_saved,
                ..Typed::default()
            });
            confirm_discard.set(false);
            if let Some(store) = store.get() {
                leptos::task::spawn_local(async move {
                    let _ = store.drop_form_draft(&key).await;
                    has_draft.set(false);
                    message.set(Some(Message::Done(text::DRAFT_DISCARDED.to_owned())));
                });
            }
        }
    };

    let note_hint = move || fields.note.with(|n| diagnosis_hint(n));
    let title = if editing {
        text::visit_edit_title(&name)
    } else {
        text::visit_title(&name)
    };
    let sc_contacts = contacts.clone();
    let others: Vec<(UserId, String)> = people
        .volunteers()
        .filter(|p| Some(p.user_id) != people.me)
        .map(|p| (p.user_id, p.display_name.clone()))
        .collect();
    let coordinators: Vec<(UserId, String)> = people
        .coordinators()
        .filter(|p| Some(p.user_id) != people.me)
        .map(|p| (p.user_id, p.display_name.clone()))
        .collect();
    let co_visitor_choices = others.clone();
    let save_click = save.clone();
    // A section opens by itself when the draft or the visit being corrected filled it.
    let opened = fields.typed_untracked();
    let has_co_visitors = !co_visitor_choices.is_empty();
    view! {
        <h2 class="page-title">{title}</h2>
        <div class="visit-form">
            <ChoiceGroup legend=text::VISIT_METHOD options=VisitMethod::ALL.to_vec() chosen=fields.method attribute="method" />
            <ChoiceGroup legend=text::VISIT_OUTCOME options=Outcome::ALL.to_vec() chosen=fields.outcome attribute="outcome" on_choose=on_outcome />
            {crate::widgets::dynamic(move || (match fields.outcome.get() {
                Outcome::MustReport => Some(view! { <CallPanel contacts=sc_contacts.clone() /> }.into_any()),
                Outcome::Worrying => Some(view! { <p class="notice">{text::ESCALATE_SAME_DAY}</p> }.into_any()),
                Outcome::Emergency => Some(view! {
                    <button type="button" class="button alert-button wide" data-action="open-emergency-guide"
                        on:click=move |_| guide_open.set(true)>{text::OPEN_EMERGENCY_GUIDE}</button>
                }.into_any()),
                _ => None,
            }).unwrap_or_else(|| ().into_any()))}
            <details class="section" open=!opened.signs.is_empty()>
                <summary data-section="signs">{text::SECTION_SIGNS}</summary>
                <ChecklistGroup legend=text::SECTION_SIGNS options=WarningSign::ALL.to_vec() chosen=fields.signs attribute="sign" />
            </details>
            <details class="section" open=!opened.needs.is_empty()>
                <summary data-section="needs">{text::SECTION_NEEDS}</summary>
                <ChecklistGroup legend=text::SECTION_NEEDS options=Need::ALL.to_vec() chosen=fields.needs attribute="need" />
            </details>
            <details class="section" open=!opened.actions.is_empty()>
                <summary data-section="actions">{text::SECTION_ACTIONS}</summary>
                <ChecklistGroup legend=text::SECTION_ACTIONS options=Action::ALL.to_vec() chosen=fields.actions attribute="action" />
            </details>
            <details class="section" open={!opened.resources_note.is_empty() || !opened.referred_resources.is_empty()}>
                <summary data-section="resources">{text::SECTION_RESOURCES}</summary>
                <crate::features::resources::ResourcePicker chosen=fields.referred_resources actions=fields.actions />
                <FormField label=text::RESOURCES_NOTE field="resources_note" errors=errors>
                    <input type="text" name="resources_note"
                        maxlength=limits::visit::MAX_RESOURCES_NOTE_CHARS.to_string()
                        bind:value=fields.resources_note />
                </FormField>
            </details>
            <details class="section" open={!opened.follow_up_what.is_empty() || !opened.next_visit.is_empty()}>
                <summary data-section="follow_up">{text::SECTION_FOLLOW_UP}</summary>
                <FormField label=text::FOLLOW_UP_WHAT field="what" errors=errors>
                    <input type="text" name="follow_up_what"
                        maxlength=limits::follow_up::MAX_WHAT_CHARS.to_string()
                        bind:value=fields.follow_up_what />
                </FormField>
                <FormField label=text::FOLLOW_UP_DUE field="due" errors=errors>
                    <input type="date" name="follow_up_due" bind:value=fields.follow_up_due />
                </FormField>
                <fieldset class="choices">
                    <legend>{text::FOLLOW_UP_OWNER}</legend>
                    <OwnerButton owner=Owner::Me label=text::OWNER_ME.to_owned() chosen=fields.follow_up_owner />
                    {coordinators.into_iter().map(|(id, name)| view! {
                        <OwnerButton owner=Owner::Person(id) label=text::owner_sc(&name) chosen=fields.follow_up_owner />
                    }).collect_view()}
                    {others.into_iter().map(|(id, name)| view! {
                        <OwnerButton owner=Owner::Person(id) label=name chosen=fields.follow_up_owner />
                    }).collect_view()}
                </fieldset>
                <FormField label=text::NEXT_VISIT field="follow_up.next_visit" errors=errors>
                    <input type="date" name="next_visit" bind:value=fields.next_visit />
                </FormField>
            </details>
            {crate::widgets::shown_when(move || has_co_visitors, move || view! {
                <details class="section" open=!opened.co_visitors.is_empty()>
                    <summary data-section="co_visitors">{text::SECTION_CO_VISITORS}</summary>
                    <fieldset class="choices">
                        <legend class="sr-only">{text::SECTION_CO_VISITORS}</legend>
                        {co_visitor_choices.clone().into_iter().map(|(id, name)| view! {
                            <button type="button" class="choice" data-co-visitor=id.to_string()
                                aria-pressed=move || fields.co_visitors.with(|c| c.contains(&id)).to_string()
                                on:click=move |_| fields.co_visitors.update(|c| {
                                    if !c.remove(&id) {
                                        c.insert(id);
                                    }
                                })>{name}</button>
                        }).collect_view()}
                    </fieldset>
                </details>
            }.into_any())}
            <FormField label=text::VISIT_NOTE field="note" errors=errors>
                <textarea name="visit_note" maxlength=limits::visit::MAX_NOTE_CHARS.to_string() rows="3"
                    bind:value=fields.note></textarea>
            </FormField>
            {move || note_hint().map(|word| view! {
                <p class="notice" role="status" data-hint="diagnosis">{text::diagnosis_hint(word)}</p>
            })}
        </div>
        <div class="save-bar">
            <FormMessage message=message />
            {crate::widgets::shown_when(move || confirm_discard.get(), move || view! {
                <div class="confirm" role="alertdialog">
                    <p>{text::DISCARD_DRAFT_CONFIRM}</p>
                    <div class="button-row">
                        <button type="button" class="button" data-action="discard-draft-confirm" on:click=discard.clone()>
                            {text::DISCARD_DRAFT}
                        </button>
                        <button type="button" class="button" on:click=move |_| confirm_discard.set(false)>
                            {text::CANCEL}
                        </button>
                    </div>
                </div>
            }.into_any())}
            <div class="button-row">
                <button type="button" class="button primary save-button" data-action="save-visit"
                    disabled=move || saving.get()
                    on:click=move |_| save_click(false)>
                    {move || if saving.get() { text::SAVING } else { text::SAVE }}
                </button>
                {crate::widgets::shown_when(move || has_draft.get() && !confirm_discard.get(), move || view! {
                    <button type="button" class="button" data-action="discard-draft"
                        on:click=move |_| confirm_discard.set(true)>{text::DISCARD_DRAFT}</button>
                }.into_any())}
            </div>
        </div>
        {crate::widgets::shown_when(move || guide_open.get(), move || view! {
            <EmergencyGuide contacts=contacts.clone() family=family.clone() record=guide_record
                on_undo=undo on_close=Callback::new(move |()| guide_open.set(false)) />
        }.into_any())}
    }
}

/// How long after a keystroke the draft is written.
const DRAFT_DELAY: Duration = Duration::from_millis(300);

#[component]
fn OwnerButton(owner: Owner, label: String, chosen: RwSignal<Owner>) -> impl IntoView {
    let code = match owner {
        Owner::Me => "me".to_owned(),
        Owner::Person(id) => id.to_string(),
    };
    view! {
        <button type="button" class="choice" data-owner=code
            aria-pressed=move || (chosen.get() == owner).to_string()
            on:click=move |_| chosen.set(owner)>{label}</button>
    }
}

impl Fields {
    fn typed_untracked(&self) -> Typed {
        untrack(|| self.typed())
    }
}

/// The changes the form saves: the visit (new, or a new version of the one saved), and the
/// follow-up it asks for, if any. Dates typed wrong are named here, before the rules run.
/// (Kept whole, not copied into its two callers: a phone downloads every byte.)
#[inline(never)]
fn drafts_of(typed: &Typed, resident: RecordId, me: UserId) -> Result<Vec<Draft>, FieldErrors> {
    let mut problems = Vec::new();
    let date =
        |field: &str, text: &str, problems: &mut Vec<mimamori_core::validate::FieldError>| {
            if text.trim().is_empty() {
                None
            } else {
                let parsed = parse_date(text);
                if parsed.is_none() {
                    problems.push(mimamori_core::validate::FieldError {
                        field: field.to_owned(),
                        problem: mimamori_core::validate::Problem::OutOfRange,
                    });
                }
                parsed
            }
        };
    let next_visit = date("follow_up.next_visit", &typed.next_visit, &mut problems);
    let due = date("due", &typed.follow_up_due, &mut problems);
    if !problems.is_empty() {
        return Err(FieldErrors::from_problems(&problems));
    }
    let saved = typed.saved;
    let visit_id = saved.map_or_else(new_record_id, |s| s.visit);
    let mut visitors = vec![me];
    visitors.extend(typed.co_visitors.iter().copied().filter(|v| *v != me));
    let visit = VisitBody {
        resident_id: resident,
        visited_at_ms: saved.map_or_else(|| js_sys::Date::now() as i64, |s| s.visited_at_ms),
        visitors,
        method: typed.method,
        outcome: typed.outcome,
        signs: typed.signs.clone(),
        needs: typed.needs.clone(),
        actions: typed.actions.clone(),
        referred_resources: typed.referred_resources.clone(),
        resources_note: typed.resources_note.trim().to_owned(),
        follow_up: next_visit.map(|next| VisitPlan {
            next_visit: Some(next),
            by: None,
            done: false,
        }),
        note: typed.note.trim().to_owned(),
    };
    let mut drafts = vec![Draft {
        id: Some(visit_id),
        base: saved.map(|s| s.visit_stamp),
        ..Draft::new(Body::Visit(visit))
    }];
    let what = typed.follow_up_what.trim();
    let follow_up = saved.and_then(|s| s.follow_up);
    if !what.is_empty() || follow_up.is_some() {
        let owner = match typed.follow_up_owner {
            Owner::Me => me,
            Owner::Person(id) => id,
        };
        let patch = FollowUpPatch {
            resident_id: Some(resident),
            visit_id: Some(visit_id),
            what: Some(what.to_owned()),
            due,
            owner: Some(owner),
            done: Some(false),
            ..FollowUpPatch::default()
        };
        drafts.push(Draft {
            id: Some(follow_up.map_or_else(new_record_id, |(id, _)| id)),
            base: follow_up.map(|(_, stamp)| stamp),
            ..Draft::new(Body::FollowUp(patch))
        });
    }
    Ok(drafts)
}

/// What a save made, for the next save from the same form to correct.
fn saved_of(changes: &[Change], typed: &Typed) -> Option<Saved> {
    let visit = changes.iter().find(|c| c.kind() == RecordKind::Visit)?;
    let Body::Visit(body) = &visit.body else {
        return None;
    };
    let follow_up = changes
        .iter()
        .find(|c| c.kind() == RecordKind::FollowUp)
        .map(|c| (c.id, c.stamp))
        .or(typed.saved.and_then(|s| s.follow_up));
    Some(Saved {
        visit: visit.id,
        visit_stamp: visit.stamp,
        visited_at_ms: body.visited_at_ms,
        follow_up,
    })
}
