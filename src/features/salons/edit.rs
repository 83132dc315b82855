//! `/salons/new` and `/salons/:id/edit`: the SC's form for a salon: what it is, when it
//! meets (the rule, resting on holidays), where, the fee and capacity, whom to call, its
//! organisers and when its absences suggest a visit. An edit sends only what changed, so
//! two people editing different fields offline both keep theirs.

use std::collections::BTreeSet;

use leptos::prelude::*;
use mimamori_core::api::District;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{limits, normalize_phone, Content, SalonPatch};
use mimamori_core::record::{Body, DistrictId, UserId};
use mimamori_core::salons::{Repeat, Schedule, TimeOfDay};

use super::queries::{self, SalonItem};
use crate::app::{AppStore, AppSync, Flash};
use crate::features::{changed, save_form, text_of};
use crate::screens::id_param;
use crate::store::Draft;
use crate::widgets::{Chip, Chips, FieldErrors, FormField, FormMessage, Loading, Message};
use crate::{local_time, text};

const WEEKDAYS: [(u8, &str); 7] = [
    (1, "月"),
    (2, "火"),
    (3, "水"),
    (4, "木"),
    (5, "金"),
    (6, "土"),
    (0, "日"),
];

#[derive(Clone)]
struct Setup {
    item: Option<SalonItem>,
    districts: Vec<District>,
    mine: Vec<DistrictId>,
    volunteers: Vec<(UserId, String)>,
}

#[component]
pub fn SalonEditPage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let id = id_param();
    let setup = crate::widgets::load_once(move || async move {
        let store = store.get()?;
        let session = store.session().await.ok().flatten()?;
        if !session.me.role.is_coordinator() {
            return None;
        }
        let item = match id {
            Some(id) => Some(queries::salon(&store, id).await?),
            None => None,
        };
        Some(Setup {
            item,
            districts: session.districts,
            mine: session.me.districts,
            volunteers: queries::volunteers(&store).await,
        })
    });
    view! {
        <section class="page">
            <h2 class="page-title">{if id.is_some() { text::EDIT_SALON } else { text::ADD_SALON }}</h2>
            {crate::widgets::dynamic(move || match setup.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! { <p class="empty-message">{text::SALON_EDIT_SC_ONLY}</p> }.into_any(),
                Some(Some(setup)) => view! { <SalonForm setup=setup /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn SalonForm(setup: Setup) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let flash = expect_context::<Flash>();
    let nav = crate::nav::use_location();
    let Setup {
        item,
        districts,
        mine,
        volunteers,
    } = setup;
    let held = item.as_ref().map(|i| i.salon.clone()).unwrap_or_default();
    let today = local_time::today();
    let schedule = held.schedule.clone().unwrap_or(Schedule {
        repeat: Repeat::Weekly,
        weekdays: Vec::new(),
        weeks: Vec::new(),
        dates: Vec::new(),
        from: today,
        until: None,
        start: TimeOfDay {
            hour: 10,
            minute: 0,
        },
        end: TimeOfDay {
            hour: 12,
            minute: 0,
        },
        skip_holidays: true,
    });
    let name = RwSignal::new(text_of(&held.name));
    let kana = RwSignal::new(text_of(&held.kana));
    let venue = RwSignal::new(text_of(&held.venue));
    let address = RwSignal::new(text_of(&held.address));
    let fee = RwSignal::new(text_of(&held.fee));
    let capacity = RwSignal::new(held.capacity.map(|c| c.to_string()).unwrap_or_default());
    let contact_name = RwSignal::new(text_of(&held.contact_name));
    let contact_phone = RwSignal::new(text_of(&held.contact_phone));
    let note = RwSignal::new(text_of(&held.note));
    let apply_first = RwSignal::new(held.apply_first == Some(true));
    let ended = RwSignal::new(held.active == Some(false));
    let absences = RwSignal::new(held.absence_alert.unwrap_or(3).to_string());
    // Chosen by code (`widgets::Chips`), made typed again when saved.
    let codes = |items: Vec<String>| RwSignal::new(items);
    let contents = codes(
        held.contents
            .iter()
            .flatten()
            .map(|c| c.code().to_owned())
            .collect(),
    );
    let organisers = codes(
        held.organisers
            .iter()
            .flatten()
            .map(|u| u.0.to_string())
            .collect(),
    );
    let repeat_code = codes(vec![schedule.repeat.code().to_owned()]);
    let repeat = move || {
        repeat_code.with(|c| {
            Repeat::ALL
                .iter()
                .copied()
                .find(|r| c.first().is_some_and(|code| code == r.code()))
                .unwrap_or(Repeat::Weekly)
        })
    };
    let weekdays = codes(schedule.weekdays.iter().map(u8::to_string).collect());
    let weeks = codes(schedule.weeks.iter().map(u8::to_string).collect());
    let numbers = |chosen: RwSignal<Vec<String>>| -> Vec<u8> {
        chosen.with_untracked(|c| c.iter().filter_map(|n| n.parse().ok()).collect())
    };
    let dates = RwSignal::new(schedule.dates.clone());
    let date_to_add = RwSignal::new(String::new());
    let from = RwSignal::new(schedule.from.to_string());
    let until = RwSignal::new(schedule.until.map(|d| d.to_string()).unwrap_or_default());
    let start = RwSignal::new(schedule.start.to_string());
    let end = RwSignal::new(schedule.end.to_string());
    let skip_holidays = RwSignal::new(schedule.skip_holidays);
    let district = codes(
        item.as_ref()
            .and_then(|i| i.district)
            .or(mine.first().copied())
            .map(|d| d.0.to_string())
            .into_iter()
            .collect(),
    );
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Message>);
    let saving = RwSignal::new(false);
    let editing = item.as_ref().map(|i| (i.id, i.base));

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let time = |t: String| t.trim().parse::<TimeOfDay>().ok();
        let date = |t: String| t.trim().parse::<CivilDate>().ok();
        let (Some(start), Some(end), Some(from)) = (
            time(start.get_untracked()),
            time(end.get_untracked()),
            date(from.get_untracked()),
        ) else {
            message.set(Some(Message::Problem(text::SCHEDULE_INCOMPLETE.to_owned())));
            return;
        };
        let repeat = untrack(repeat);
        let schedule = Schedule {
            repeat,
            weekdays: if repeat == Repeat::Dates {
                Vec::new()
            } else {
                numbers(weekdays)
            },
            weeks: if repeat == Repeat::NthWeekday {
                numbers(weeks)
            } else {
                Vec::new()
            },
            dates: if repeat == Repeat::Dates {
                dates.get_untracked()
            } else {
                Vec::new()
            },
            from,
            until: date(until.get_untracked()),
            start,
            end,
            skip_holidays: skip_holidays.get_untracked(),
        };
        let capacity = capacity.get_untracked().trim().parse::<u16>().ok();
        let absences = absences.get_untracked().trim().parse::<u8>().unwrap_or(0);
        let phone = normalize_phone(&contact_phone.get_untracked());
        let mut patch = SalonPatch {
            name: changed(&held.name, name.get_untracked()),
            kana: changed(&held.kana, kana.get_untracked()),
            venue: changed(&held.venue, venue.get_untracked()),
            address: changed(&held.address, address.get_untracked()),
            fee: changed(&held.fee, fee.get_untracked()),
            contact_name: changed(&held.contact_name, contact_name.get_untracked()),
            contact_phone: changed(&held.contact_phone, phone),
            note: changed(&held.note, note.get_untracked()),
            ..SalonPatch::default()
        };
        if held.schedule.as_ref() != Some(&schedule) {
            patch.schedule = Some(schedule);
        }
        if held.capacity != capacity {
            patch.capacity = Some(capacity.unwrap_or(0));
        }
        let apply = Some(apply_first.get_untracked());
        if held.apply_first.unwrap_or(false) != apply_first.get_untracked() {
            patch.apply_first = apply;
        }
        let active = !ended.get_untracked();
        if held.active.unwrap_or(true) != active {
            patch.active = Some(active);
        }
        if held.absence_alert.unwrap_or(3) != absences {
            patch.absence_alert = Some(absences);
        }
        let chosen: Vec<Content> = Content::ALL
            .iter()
            .copied()
            .filter(|c| contents.with_untracked(|l| l.iter().any(|x| x == c.code())))
            .collect();
        if held.contents.clone().unwrap_or_default() != chosen {
            patch.contents = Some(chosen);
        }
        let chosen: BTreeSet<UserId> =
            mimamori_core::order::set_of(organisers.with_untracked(|o| {
                o.iter()
                    .filter_map(|u| u.parse().ok().map(UserId))
                    .collect::<Vec<_>>()
            }));
        if held.organisers.clone().unwrap_or_default() != chosen {
            patch.organisers = Some(chosen);
        }
        let mut draft = Draft::new(Body::Salon(patch));
        match editing {
            Some((id, base)) => {
                draft.id = Some(id);
                draft.base = base;
            }
            None => {
                draft.district = district
                    .with_untracked(|d| d.first().and_then(|d| d.parse().ok()).map(DistrictId));
            }
        }
        let said = text::salon_saved(name.get_untracked().trim());
        saving.set(true);
        leptos::task::spawn_local(async move {
            let fields = [
                "name",
                "kana",
                "venue",
                "address",
                "fee",
                "capacity",
                "contact_name",
                "contact_phone",
                "note",
                "absence_alert",
                "schedule.weekdays",
                "schedule.weeks",
                "schedule.dates",
                "schedule.end",
                "schedule.until",
            ];
            if let Some(id) = save_form(sync, draft, &fields, errors, message).await {
                flash.show(said);
                nav.navigate(&format!("/salons/{id}"));
            } else if let Some(day) = errors
                .with_untracked(|e| e.field_under("exceptions."))
                .and_then(|f| f.split('.').nth(1)?.parse::<CivilDate>().ok())
            {
                // New hours that a date changed on its own page no longer fit: say which.
                message.set(Some(Message::Problem(text::schedule_clashes_with(day))));
            }
            saving.set(false);
        });
    };

    let input =
        move |label: &'static str, field: &'static str, value: RwSignal<String>, max: usize| {
            view! {
                <FormField label=label field=field errors=errors>
                    <input type="text" name=field maxlength=max.to_string() bind:value=value />
                </FormField>
            }
        };
    view! {
        <form class="form" on:submit=submit>
            {input(text::SALON_NAME, "name", name, limits::salon::MAX_NAME_CHARS)}
            {input(text::SALON_KANA, "kana", kana, limits::salon::MAX_NAME_CHARS)}
            {(editing.is_none() && districts.len() > 1).then(|| view! {
                <Chips legend=text::DISTRICT attribute="district" single=true chosen=district
                    options=districts.into_iter().map(|d| Chip::new(d.id, d.name)).collect() />
            })}
            <Chips legend=text::SALON_CONTENTS attribute="content" chosen=contents
                options=Content::ALL.iter().map(|c| Chip::new(c.code(), c.label_ja())).collect() />
            <Chips legend=text::SALON_REPEAT attribute="repeat" single=true chosen=repeat_code
                options=Repeat::ALL.iter().map(|r| Chip::new(r.code(), r.label_ja())).collect() />
            {crate::widgets::shown_when(move || repeat() == Repeat::NthWeekday, move || view! {
                <Chips legend=text::SALON_WEEKS attribute="week" chosen=weeks
                    options=(1u8..=5).map(|w| Chip::new(w, format!("第{w}"))).collect() />
            }.into_any())}
            {crate::widgets::shown_when(move || repeat() != Repeat::Dates, move || view! {
                <Chips legend=text::SALON_WEEKDAYS attribute="weekday" chosen=weekdays
                    options=WEEKDAYS.iter().map(|(d, label)| Chip::new(d, label)).collect() />
                {move || errors.with(|e| e.get("schedule.weekdays").or_else(|| e.get("schedule.weeks")))
                    .map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            }.into_any())}
            {crate::widgets::shown_when(move || repeat() == Repeat::Dates, move || view! {
                <FormField label=text::SALON_DATES field="schedule.dates" errors=errors>
                    <div class="button-row">
                        <input type="date" name="date_to_add" bind:value=date_to_add />
                        <button type="button" class="button" data-action="add-date" on:click=move |_| {
                            if let Ok(d) = date_to_add.get_untracked().parse::<CivilDate>() {
                                dates.update(|l| if !l.contains(&d) { l.push(d); mimamori_core::order::sort_by_key(l, |x| *x); });
                            }
                        }>{text::ADD_DATE}</button>
                    </div>
                </FormField>
                <ul class="list">
                    {move || dates.get().into_iter().map(|d| view! {
                        <li class="list-item">{text::day_heading(d, local_time::today())}
                            <button type="button" class="button" aria-label=text::REMOVE
                                on:click=move |_| dates.update(|l| l.retain(|x| *x != d))>"×"</button></li>
                    }).collect_view()}
                </ul>
            }.into_any())}
            <div class="button-row">
                <FormField label=text::SESSION_START field="schedule.start" errors=errors>
                    <input type="time" name="start" bind:value=start />
                </FormField>
                <FormField label=text::SESSION_END field="schedule.end" errors=errors>
                    <input type="time" name="end" bind:value=end />
                </FormField>
            </div>
            <div class="button-row">
                <FormField label=text::SALON_FROM field="schedule.from" errors=errors>
                    <input type="date" name="from" bind:value=from />
                </FormField>
                <FormField label=text::SALON_UNTIL field="schedule.until" errors=errors>
                    <input type="date" name="until" bind:value=until />
                </FormField>
            </div>
            <label class="field checkbox"><input type="checkbox" name="skip_holidays" bind:checked=skip_holidays />
                <span>{text::SALON_SKIP_HOLIDAYS}</span></label>
            {input(text::SALON_VENUE, "venue", venue, limits::salon::MAX_VENUE_CHARS)}
            {input(text::SALON_ADDRESS, "address", address, limits::salon::MAX_ADDRESS_CHARS)}
            {input(text::SALON_FEE, "fee", fee, limits::salon::MAX_FEE_CHARS)}
            <FormField label=text::SALON_CAPACITY field="capacity" errors=errors>
                <input type="number" inputmode="numeric" min="0" name="capacity" bind:value=capacity />
            </FormField>
            <label class="field checkbox"><input type="checkbox" name="apply_first" bind:checked=apply_first />
                <span>{text::SALON_APPLY_FIRST}</span></label>
            {input(text::SALON_CONTACT, "contact_name", contact_name, limits::salon::MAX_NAME_CHARS)}
            <FormField label=text::SALON_PHONE field="contact_phone" errors=errors>
                <input type="tel" name="contact_phone" bind:value=contact_phone />
            </FormField>
            <Chips legend=text::SALON_ORGANISERS attribute="volunteer" chosen=organisers
                options=volunteers.into_iter().map(|(user, name)| Chip::new(user.0, name)).collect() />
            <FormField label=text::SALON_ABSENCES field="absence_alert" errors=errors>
                <input type="number" inputmode="numeric" min="1" max="10" name="absence_alert" bind:value=absences />
            </FormField>
            <FormField label=text::SALON_NOTE field="note" errors=errors>
                <textarea name="note" rows="3" maxlength=limits::salon::MAX_NOTE_CHARS.to_string() bind:value=note></textarea>
            </FormField>
            {editing.is_some().then(|| view! {
                <label class="field checkbox"><input type="checkbox" name="ended" bind:checked=ended />
                    <span>{text::SALON_MARK_ENDED}</span></label>
            })}
            <FormMessage message=message />
            <div class="save-bar">
                <button type="submit" class="button primary save-button" data-action="save-salon"
                    disabled=move || saving.get()>{text::SAVE}</button>
            </div>
        </form>
    }
}
