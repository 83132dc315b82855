//! `/salons/:id/dates/:date`: what becomes of one date of a salon: as planned, 中止 (with
//! why: 暑さ, 雪…), or moved to another date, time or venue; `/salons/:id/extra`: a
//! 臨時開催 on a day the schedule does not hold (changed or taken back on its own date's
//! page). Its organisers and the SC decide it; every phone and the family's calendar show
//! it after the next sync, and attendance is taken for it like any session.

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

/// The salon of the path, if the user runs it.
fn salon_run_by_me() -> crate::widgets::Loaded<Option<SalonItem>> {
    let store = expect_context::<AppStore>();
    let id = id_param();
    crate::widgets::load_once(move || async move {
        let store = store.get()?;
        let item = queries::salon(&store, id?).await?;
        let me = queries::me(&store).await?;
        item.run_by(&me).then_some(item)
    })
}

#[component]
pub fn SessionChangePage() -> impl IntoView {
    let item = salon_run_by_me();
    let date = date_param();
    let extra_on = |item: &SalonItem, date| {
        item.salon
            .exceptions_in_force()
            .get(&date)
            .is_some_and(|e| e.extra)
    };
    view! {
        <section class="page">
            <h2 class="page-title">{text::CHANGE_SESSION_TITLE}</h2>
            {crate::widgets::dynamic(move || match (item.get(), date) {
                (None, _) => view! { <Loading /> }.into_any(),
                (Some(Some(item)), Some(date)) if item.salon.schedule.as_ref().is_some_and(|s| s.matches(date)) => {
                    view! { <ChangeForm item=item date=date /> }.into_any()
                }
                (Some(Some(item)), Some(date)) if extra_on(&item, date) => {
                    view! { <ExtraForm item=item date=Some(date) /> }.into_any()
                }
                _ => view! { <p class="empty-message">{text::SALON_NOT_FOUND}</p> }.into_any(),
            })}
        </section>
    }
}

/// `/salons/:id/extra`: a 臨時開催 added on a day of the user's choosing.
#[component]
pub fn ExtraSessionPage() -> impl IntoView {
    let item = salon_run_by_me();
    view! {
        <section class="page">
            <h2 class="page-title">{text::EXTRA_SESSION_TITLE}</h2>
            {crate::widgets::dynamic(move || match item.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Some(item)) if item.salon.schedule.is_some() => {
                    view! { <ExtraForm item=item date=None /> }.into_any()
                }
                Some(_) => view! { <p class="empty-message">{text::SALON_NOT_FOUND}</p> }.into_any(),
            })}
        </section>
    }
}

/// What a date's form saves with, taken from the screen's context when it is drawn (an
/// event handler has no context of its own), and its state while saving.
#[derive(Clone, Copy)]
struct Saver {
    sync: AppSync,
    flash: Flash,
    nav: crate::nav::Location,
    errors: RwSignal<FieldErrors>,
    message: RwSignal<Option<Message>>,
    saving: RwSignal<bool>,
}

impl Saver {
    fn new() -> Self {
        Self {
            sync: expect_context::<AppSync>(),
            flash: expect_context::<Flash>(),
            nav: crate::nav::use_location(),
            errors: RwSignal::new(FieldErrors::default()),
            message: RwSignal::new(None),
            saving: RwSignal::new(false),
        }
    }

    /// Saves one date's exception (`None`: as planned, or an extra session taken back),
    /// says so on the salon's page and goes there.
    fn save(self, item: &SalonItem, date: CivilDate, exception: Option<Exception>) {
        if self.saving.get_untracked() {
            return;
        }
        let was_extra = item
            .salon
            .exceptions_in_force()
            .get(&date)
            .is_some_and(|e| e.extra);
        let said = match &exception {
            None if was_extra => text::extra_taken_back(&item.name(), date),
            Some(_) if was_extra => text::extra_changed(&item.name(), date),
            _ => text::session_changed(&item.name(), date, exception.as_ref()),
        };
        let patch = SalonPatch {
            exceptions: mimamori_core::order::map_of([(date, exception)]),
            ..SalonPatch::default()
        };
        let id = item.id;
        let draft = Draft {
            id: Some(id),
            base: item.base,
            ..Draft::new(Body::Salon(patch))
        };
        self.saving.set(true);
        leptos::task::spawn_local(async move {
            if save_form(self.sync, draft, &[], self.errors, self.message)
                .await
                .is_some()
            {
                self.flash.show(said);
                self.nav.navigate(&format!("/salons/{id}"));
            }
            self.saving.set(false);
        });
    }

    fn problem(self, said: &str) {
        self.message.set(Some(Message::Problem(said.to_owned())));
    }
}

/// A session's times and another venue, as a moved session and a 臨時開催 set them.
#[component]
fn TimesAndVenue(
    start: RwSignal<String>,
    end: RwSignal<String>,
    venue: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    view! {
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
    }
}

/// A 臨時開催: its day (chosen when added, fixed when changed), its times (the schedule's
/// unless changed), another venue and what it is for; taken back on its own page.
#[component]
fn ExtraForm(item: SalonItem, date: Option<CivilDate>) -> impl IntoView {
    let schedule = item.salon.schedule.clone().expect("checked by the page");
    let held = date
        .and_then(|d| item.salon.exceptions_in_force().get(&d).cloned())
        .unwrap_or_default();
    let day = RwSignal::new(date.map(|d| d.to_string()).unwrap_or_default());
    let (start_at, end_at) = held.times(&schedule);
    let start = RwSignal::new(start_at.to_string());
    let end = RwSignal::new(end_at.to_string());
    let venue = RwSignal::new(held.venue.clone().unwrap_or_default());
    let reason = RwSignal::new(held.reason.clone());
    let saver = Saver::new();
    let (errors, message, saving) = (saver.errors, saver.message, saver.saving);
    let item = StoredValue::new(item);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let time = |text: String| text.trim().parse::<TimeOfDay>().ok();
        let chosen = day.get_untracked().parse::<CivilDate>().ok();
        let (Some(on), Some(from), Some(to)) = (
            chosen,
            time(start.get_untracked()),
            time(end.get_untracked()),
        ) else {
            return saver.problem(text::EXTRA_INCOMPLETE);
        };
        if date.is_none() && schedule.matches(on) {
            return saver.problem(text::EXTRA_ON_SCHEDULED);
        }
        if to <= from {
            return saver.problem(text::SESSION_ENDS_BEFORE_START);
        }
        let venue = venue.get_untracked().trim().to_owned();
        let extra = Exception {
            extra: true,
            reason: reason.get_untracked().trim().to_owned(),
            start: (from != schedule.start).then_some(from),
            end: (to != schedule.end).then_some(to),
            venue: (!venue.is_empty()).then_some(venue),
            ..Exception::default()
        };
        item.with_value(|item| saver.save(item, on, Some(extra)));
    };
    let take_back = move |_| {
        if let Some(on) = date {
            item.with_value(|item| saver.save(item, on, None));
        }
    };
    let heading = match date {
        // Its own page says what the date is: a 臨時開催.
        Some(on) => format!(
            "{} {}・{}",
            item.with_value(SalonItem::name),
            text::day_heading(on, local_time::today()),
            text::session_extra("")
        ),
        None => item.with_value(SalonItem::name),
    };
    view! {
        <p class="setting-note">{heading}</p>
        <form class="form" on:submit=submit>
            {date.is_none().then(|| view! {
                <FormField label=text::SESSION_NEW_DATE field="date" errors=errors>
                    <input type="date" name="date" bind:value=day />
                </FormField>
            })}
            <TimesAndVenue start=start end=end venue=venue errors=errors />
            <FormField label=text::EXTRA_REASON field="reason" errors=errors>
                <input type="text" name="reason" bind:value=reason />
            </FormField>
            <FormMessage message=message />
            <div class="save-bar">
                <button type="submit" class="button primary save-button" data-action="save-extra"
                    disabled=move || saving.get()>{text::SAVE}</button>
            </div>
            {date.is_some().then(|| view! {
                <button type="button" class="button" data-action="take-back-extra"
                    disabled=move || saving.get() on:click=take_back>{text::EXTRA_TAKE_BACK}</button>
            })}
        </form>
    }
}

#[component]
fn ChangeForm(item: SalonItem, date: CivilDate) -> impl IntoView {
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
    let (start_at, end_at) = held.times(&schedule);
    let start = RwSignal::new(start_at.to_string());
    let end = RwSignal::new(end_at.to_string());
    let venue = RwSignal::new(held.venue.clone().unwrap_or_default());
    let saver = Saver::new();
    let (errors, message, saving) = (saver.errors, saver.message, saver.saving);
    let today = local_time::today();
    let heading = format!(
        "{} {} {}〜{}",
        item.name(),
        text::day_heading(date, today),
        schedule.start,
        schedule.end
    );
    let item = StoredValue::new(item);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
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
                    return saver.problem(text::SESSION_MOVE_INCOMPLETE);
                };
                if end <= start {
                    return saver.problem(text::SESSION_ENDS_BEFORE_START);
                }
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
        item.with_value(|item| saver.save(item, date, exception));
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
                <TimesAndVenue start=start end=end venue=venue errors=errors />
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
