//! `/salons/:id/dates/:date`: what becomes of one date of a salon: as planned, 中止 (with
//! why: 暑さ, 雪…), or moved to another date, time or venue. Its organisers and the SC
//! decide it; every phone and the family's calendar show it after the next sync.

use crate::screens::use_params_map;
use leptos::prelude::*;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::SalonPatch;
use mimamori_core::record::Body;
use mimamori_core::salons::{Exception, TimeOfDay, CANCEL_REASONS_JA};

use super::queries::{self, SalonItem};
use crate::app::{AppStore, AppSync, Flash};
use crate::features::save_form;
use crate::screens::id_param;
use crate::store::Draft;
use crate::widgets::{Chip, Chips, FieldErrors, FormField, FormMessage, Loading, Message};
use crate::{local_time, text};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Plan {
    AsPlanned,
    Cancel,
    Move,
}

pub fn date_param() -> Option<CivilDate> {
    use_params_map()
        .read_untracked()
        .get("date")
        .and_then(|d| d.parse().ok())
}

#[component]
pub fn SessionChangePage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let (id, date) = (id_param(), date_param());
    let item = crate::widgets::load_once(move || async move {
        let store = store.get()?;
        let item = queries::salon(&store, id?).await?;
        let me = queries::me(&store).await?;
        item.run_by(&me).then_some(item)
    });
    view! {
        <section class="page">
            <h2 class="page-title">{text::CHANGE_SESSION_TITLE}</h2>
            {crate::widgets::dynamic(move || match (item.get(), date) {
                (None, _) => view! { <Loading /> }.into_any(),
                (Some(Some(item)), Some(date)) if item.salon.schedule.as_ref().is_some_and(|s| s.matches(date)) => {
                    view! { <ChangeForm item=item date=date /> }.into_any()
                }
                _ => view! { <p class="empty-message">{text::SALON_NOT_FOUND}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn ChangeForm(item: SalonItem, date: CivilDate) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let flash = expect_context::<Flash>();
    let nav = crate::nav::use_location();
    let held = item.salon.exceptions_in_force().get(&date).cloned();
    let schedule = item.salon.schedule.clone().expect("checked by the page");
    let plan_code = RwSignal::new(vec![match &held {
        Some(e) if e.cancelled => "cancel",
        Some(e) if e.moves() => "move",
        _ => "as-planned",
    }
    .to_owned()]);
    let plan = move || match plan_code.with(|c| c.first().cloned()).as_deref() {
        Some("cancel") => Plan::Cancel,
        Some("move") => Plan::Move,
        _ => Plan::AsPlanned,
    };
    let held = held.unwrap_or_default();
    let reason = RwSignal::new(held.reason.clone());
    let reason_chip = RwSignal::new(vec![held.reason.clone()]);
    let new_date = RwSignal::new(held.date.unwrap_or(date).to_string());
    let start = RwSignal::new(held.start.unwrap_or(schedule.start).to_string());
    let end = RwSignal::new(held.end.unwrap_or(schedule.end).to_string());
    let venue = RwSignal::new(held.venue.clone().unwrap_or_default());
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Message>);
    let saving = RwSignal::new(false);
    let today = local_time::today();
    let heading = format!(
        "{} {} {}〜{}",
        item.name(),
        text::day_heading(date, today),
        schedule.start,
        schedule.end
    );
    let id = item.id;
    let base = item.base;
    let name = item.name();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let exception = match untrack(plan) {
            Plan::AsPlanned => None,
            Plan::Cancel => Some(Exception {
                cancelled: true,
                reason: reason.get_untracked().trim().to_owned(),
                ..Exception::default()
            }),
            Plan::Move => {
                let time = |text: String| text.trim().parse::<TimeOfDay>().ok();
                let moved_to = new_date.get_untracked().parse::<CivilDate>().ok();
                let (Some(moved_to), Some(start), Some(end)) = (
                    moved_to,
                    time(start.get_untracked()),
                    time(end.get_untracked()),
                ) else {
                    message.set(Some(Message::Problem(
                        text::SESSION_MOVE_INCOMPLETE.to_owned(),
                    )));
                    return;
                };
                let venue = venue.get_untracked().trim().to_owned();
                Some(Exception {
                    reason: reason.get_untracked().trim().to_owned(),
                    date: (moved_to != date).then_some(moved_to),
                    start: (start != schedule.start).then_some(start),
                    end: (end != schedule.end).then_some(end),
                    venue: (!venue.is_empty()).then_some(venue),
                    ..Exception::default()
                })
            }
        };
        let said = text::session_changed(&name, date, exception.as_ref());
        let patch = SalonPatch {
            exceptions: mimamori_core::order::map_of([(date, exception)]),
            ..SalonPatch::default()
        };
        let draft = Draft {
            id: Some(id),
            base,
            ..Draft::new(Body::Salon(patch))
        };
        saving.set(true);
        leptos::task::spawn_local(async move {
            if save_form(sync, draft, &[], errors, message).await.is_some() {
                flash.show(said);
                nav.navigate(&format!("/salons/{id}"));
            }
            saving.set(false);
        });
    };
    view! {
        <p class="setting-note">{heading}</p>
        <form class="form" on:submit=submit>
            <Chips legend=text::SESSION_PLAN attribute="plan" single=true chosen=plan_code
                options=vec![
                    Chip::new("as-planned", text::SESSION_AS_PLANNED),
                    Chip::new("cancel", text::SESSION_CANCEL),
                    Chip::new("move", text::SESSION_MOVE),
                ] />
            {crate::widgets::shown_when(move || plan() == Plan::Cancel, move || view! {
                <Chips legend=text::SESSION_REASON attribute="reason" single=true chosen=reason_chip
                    options=CANCEL_REASONS_JA.iter().map(|r| Chip::new(r, r)).collect()
                    on_tap=Callback::new(move |(code, _): (String, bool)| reason.set(code)) />
            }.into_any())}
            {crate::widgets::shown_when(move || plan() == Plan::Move, move || view! {
                <FormField label=text::SESSION_NEW_DATE field="date" errors=errors>
                    <input type="date" name="date" bind:value=new_date />
                </FormField>
                <div class="button-row">
                    <FormField label=text::SESSION_START field="start" errors=errors>
                        <input type="time" name="start" bind:value=start />
                    </FormField>
                    <FormField label=text::SESSION_END field="end" errors=errors>
                        <input type="time" name="end" bind:value=end />
                    </FormField>
                </div>
                <FormField label=text::SESSION_VENUE field="venue" errors=errors>
                    <input type="text" name="venue" placeholder=text::SESSION_VENUE_HINT bind:value=venue />
                </FormField>
            }.into_any())}
            {crate::widgets::shown_when(move || plan() != Plan::AsPlanned, move || view! {
                <FormField label=text::SESSION_REASON_TEXT field="reason" errors=errors>
                    <input type="text" name="reason" bind:value=reason />
                </FormField>
            }.into_any())}
            <FormMessage message=message />
            <div class="save-bar">
                <button type="submit" class="button primary save-button" data-action="save-session"
                    disabled=move || saving.get()>{text::SAVE}</button>
            </div>
        </form>
    }
}
