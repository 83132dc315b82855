//! The SC's decisions about a resident (`/residents/:id/manage`): who visits them, how
//! often, and whether they are visited at all (見守り中 / 休止 with why / 終了 with why).
//! Unassigning someone takes the resident and their visits off that volunteer's phone at
//! its next sync (the server's visibility events do it).

use std::collections::BTreeSet;

use crate::screens::use_params_map;
use leptos::prelude::*;
use mimamori_core::kinds::{limits, ResidentPatch, ResidentStatus, State, WatchStatus};
use mimamori_core::merge::LwwRecord;
use mimamori_core::record::{Body, RecordId, UserId};
use mimamori_core::watch;

use super::queries::{self, People};
use crate::app::{AppStore, AppSync, Flash};
use crate::features::save_form;
use crate::store::Draft;
use crate::text;
use crate::widgets::{ChoiceGroup, FieldErrors, FormField, FormMessage, Loading, Message};

/// Reasons people give, offered as one tap each (any other can be typed).
const PAUSE_REASONS: &[&str] = &["入院", "施設入所", "家族と同居"];
const END_REASONS: &[&str] = &["転居", "逝去", "ご本人の希望"];

#[derive(Clone)]
struct Held {
    id: RecordId,
    record: LwwRecord,
    resident: watch::Resident,
    people: People,
}

async fn read(id: Option<RecordId>) -> Option<Held> {
    let store = expect_context::<AppStore>().get()?;
    let id = id?;
    let people = queries::people(&store).await;
    let state = store.record(&id.to_string()).await.ok().flatten()?.live()?;
    let resident = watch::resident(id, &state)?;
    let State::Resident(record) = state else {
        return None;
    };
    Some(Held {
        id,
        record,
        resident,
        people,
    })
}

#[component]
pub fn ResidentManagePage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<RecordId>().ok());
    // Read once: a sync while choosing must not undo the choices.
    let held = crate::widgets::load_once(move || read(id));
    view! {
        <section class="page">
            <h2 class="page-title">{text::MANAGE_RESIDENT}</h2>
            {crate::widgets::dynamic(move || match held.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! { <p class="empty-message">{text::RECORD_NOT_FOUND}</p> }.into_any(),
                Some(Some(held)) => view! { <ManageForm held=held /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn ManageForm(held: Held) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let flash = expect_context::<Flash>();
    let nav = crate::nav::use_location();
    let Held {
        id,
        record,
        resident,
        people,
    } = held;
    let assigned = RwSignal::new(resident.assigned.clone());
    let state = RwSignal::new(resident.status);
    let reason = RwSignal::new(
        resident
            .patch
            .status
            .as_ref()
            .map(|s| s.reason.clone())
            .unwrap_or_default(),
    );
    let interval = RwSignal::new(resident.interval_days.to_string());
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Message>);
    let volunteers: Vec<(UserId, String)> = people
        .volunteers()
        .map(|p| (p.user_id, p.display_name.clone()))
        // Someone assigned who has left the district still shows, to be unassigned.
        .chain(
            resident
                .assigned
                .iter()
                .filter(|u| !people.volunteers().any(|p| p.user_id == **u))
                .map(|u| (*u, people.name(*u))),
        )
        .collect();
    let name = resident.name.clone();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let mut patch = ResidentPatch::default();
        let now_assigned: BTreeSet<UserId> = assigned.get_untracked();
        if now_assigned != resident.assigned {
            patch.assigned_volunteers = Some(now_assigned);
        }
        let status = ResidentStatus {
            state: state.get_untracked(),
            reason: if state.get_untracked() == WatchStatus::Active {
                String::new()
            } else {
                reason.get_untracked().trim().to_owned()
            },
        };
        let held_status = resident
            .patch
            .status
            .clone()
            .unwrap_or(ResidentStatus::ACTIVE);
        if status != held_status {
            if status.state != WatchStatus::Active && status.reason.is_empty() {
                errors.set(FieldErrors::from_problems(&[
                    mimamori_core::validate::FieldError {
                        field: "status.reason".to_owned(),
                        problem: mimamori_core::validate::Problem::Required,
                    },
                ]));
                message.set(Some(Message::Problem(text::CHECK_FIELDS.to_owned())));
                return;
            }
            patch.status = Some(status);
        }
        match interval.get_untracked().trim().parse::<u16>() {
            Ok(days) if days != resident.interval_days => patch.visit_interval_days = Some(days),
            Ok(_) => {}
            Err(_) => patch.visit_interval_days = Some(0),
        }
        let back = format!("/residents/{id}");
        if patch == ResidentPatch::default() {
            nav.navigate(&back);
            return;
        }
        let draft = Draft {
            id: Some(id),
            base: record.newest_stamp(),
            ..Draft::new(Body::Resident(patch))
        };
        let saved = text::resident_saved(&name);
        leptos::task::spawn_local(async move {
            let fields = [
                "assigned_volunteers",
                "status.reason",
                "visit_interval_days",
            ];
            if save_form(sync, draft, &fields, errors, message)
                .await
                .is_some()
            {
                flash.show(saved);
                nav.navigate(&back);
            }
        });
    };
    let reasons = move || match state.get() {
        WatchStatus::Active => &[][..],
        WatchStatus::Paused => PAUSE_REASONS,
        WatchStatus::Ended => END_REASONS,
    };
    view! {
        <p class="setting-note">{text::honorific(&resident.name)}</p>
        <form class="form" on:submit=submit>
            <fieldset class="choices" data-field="assigned_volunteers">
                <legend>{text::ASSIGNED}</legend>
                {volunteers.into_iter().map(|(user, name)| view! {
                    <button type="button" class="choice" data-volunteer=user.to_string()
                        aria-pressed=move || assigned.with(|a| a.contains(&user)).to_string()
                        on:click=move |_| assigned.update(|a| {
                            if !a.remove(&user) {
                                a.insert(user);
                            }
                        })>{name}</button>
                }).collect_view()}
            </fieldset>
            <p class="setting-note">{text::UNASSIGN_NOTE}</p>
            <FormField label=text::VISIT_INTERVAL field="visit_interval_days" errors=errors>
                <input type="number" inputmode="numeric" min="1" max="365" name="visit_interval_days" bind:value=interval />
            </FormField>
            <ChoiceGroup legend=text::WATCH_STATUS options=WatchStatus::ALL.to_vec() chosen=state attribute="status" />
            {crate::widgets::shown_when(move || state.get() != WatchStatus::Active, move || view! {
                <FormField label=text::STATUS_REASON field="status.reason" errors=errors>
                    <input type="text" name="status_reason"
                        maxlength=limits::resident::MAX_STATUS_REASON_CHARS.to_string() bind:value=reason />
                </FormField>
                <div class="choices">
                    {move || reasons().iter().map(|r| view! {
                        <button type="button" class="choice" on:click=move |_| reason.set((*r).to_owned())
                            aria-pressed=move || (reason.get() == *r).to_string()>{*r}</button>
                    }).collect_view()}
                </div>
            }.into_any())}
            <FormMessage message=message />
            <button type="submit" class="button primary save-button" data-action="save-manage">{text::SAVE}</button>
        </form>
    }
}
