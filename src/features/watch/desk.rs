//! The SC's desk (`/desk`): the district at a glance. The last 14 days' 緊急 first, above
//! all; then 未訪問; the 気になる・要連絡; open follow-ups by owner; the residents nobody visits; those
//! paused or ended; the district's contacts (the numbers the emergency guide shows); and
//! the district's phones, with revoking one (a lost phone) after a confirmation.

use std::collections::BTreeMap;

use leptos::prelude::*;
use mimamori_core::api::DeviceInfo;
use mimamori_core::calendar::say_day_and_time;
use mimamori_core::kinds::{district_info_id, limits, DistrictInfoPatch, Outcome, WatchStatus};
use mimamori_core::record::{Body, DistrictId, RecordId};
use mimamori_core::watch::{recent_concerns, watch_list, WatchRow};

use super::follow_ups::FollowUpCard;
use super::queries::{self, FollowUpItem};
use crate::api::{self, ApiFailure};
use crate::app::{AppStore, AppSync};
use crate::features::save_form;
use crate::store::Draft;
use crate::widgets::{load, FieldErrors, FormField, FormMessage, Loading, Message, UrgencyMark};
use crate::{local_time, text};

/// How far back the desk looks for visits someone should hear about.
const CONCERN_DAYS: i64 = 14;

#[derive(Clone, PartialEq)]
struct Concern {
    resident: RecordId,
    name: String,
    outcome: Outcome,
    text: String,
    author: String,
}

#[derive(Clone, PartialEq)]
struct Desk {
    overdue: Vec<WatchRow>,
    active: usize,
    concerns: Vec<Concern>,
    follow_ups: Vec<(String, Vec<FollowUpItem>)>,
    unassigned: Vec<(RecordId, String)>,
    stopped: Vec<(RecordId, String, String)>,
}

async fn read_desk() -> Option<Desk> {
    let store = expect_context::<AppStore>().get()?;
    let session = store.session().await.ok().flatten()?;
    let people = queries::People::of(Some(&session));
    let (residents, last, visits, follow_ups) = futures::join!(
        queries::residents(&store),
        queries::last_visits(&store),
        queries::recent_visits(&store, CONCERN_DAYS),
        queries::open_follow_up_rows(&store, None),
    );
    let residents = residents.ok()?;
    let today = local_time::today();
    let rows = watch_list(&residents, &last.ok()?, today);
    let names: BTreeMap<RecordId, String> =
        mimamori_core::order::map_of(residents.iter().map(|r| (r.id, r.name.clone())));
    let visits = visits.ok()?;
    let authors: BTreeMap<RecordId, _> =
        mimamori_core::order::map_of(visits.iter().map(|(id, a, _)| (*id, *a)));
    let concerns = recent_concerns(
        visits.iter().map(|(id, _, v)| (*id, v)),
        |ms| local_time::minute_at(ms as f64),
        today,
        CONCERN_DAYS,
    )
    .into_iter()
    .map(|(id, visit)| {
        let at = local_time::minute_at(visit.visited_at_ms as f64);
        Concern {
            resident: visit.resident_id,
            name: names.get(&visit.resident_id).cloned().unwrap_or_default(),
            outcome: visit.outcome,
            text: format!(
                "{} {}",
                say_day_and_time(at.date, at.hour, at.minute, today),
                visit.note
            )
            .trim()
            .to_owned(),
            author: authors
                .get(&id)
                .map(|a| people.name(*a))
                .unwrap_or_default(),
        }
    })
    .collect();
    let mut by_owner: BTreeMap<String, Vec<FollowUpItem>> = BTreeMap::new();
    let follow_ups = queries::named_follow_ups(follow_ups.unwrap_or_default(), &residents, &people);
    for item in follow_ups {
        by_owner.entry(item.owner.clone()).or_default().push(item);
    }
    Some(Desk {
        active: rows.len(),
        overdue: rows
            .into_iter()
            .filter(|r| r.standing.is_overdue())
            .collect(),
        concerns,
        follow_ups: by_owner.into_iter().collect(),
        unassigned: residents
            .iter()
            .filter(|r| r.status == WatchStatus::Active && r.assigned.is_empty())
            .map(|r| (r.id, r.name.clone()))
            .collect(),
        stopped: residents
            .iter()
            .filter(|r| r.status != WatchStatus::Active)
            .map(|r| {
                let reason = r
                    .patch
                    .status
                    .as_ref()
                    .map(|s| s.reason.clone())
                    .unwrap_or_default();
                (
                    r.id,
                    r.name.clone(),
                    format!("{} {}", r.status.label_ja(), reason)
                        .trim()
                        .to_owned(),
                )
            })
            .collect(),
    })
}

/// The user's districts, named: each has its contacts form.
async fn read_districts() -> Option<Vec<(DistrictId, String)>> {
    let store = expect_context::<AppStore>().get()?;
    let session = store.session().await.ok().flatten()?;
    Some(
        session
            .me
            .districts
            .iter()
            .map(|id| {
                let name = session
                    .districts
                    .iter()
                    .find(|d| d.id == id.0)
                    .map(|d| d.name.clone())
                    .unwrap_or_else(|| text::DISTRICT.to_owned());
                (*id, name)
            })
            .collect(),
    )
}

#[component]
pub fn DeskPage() -> impl IntoView {
    let desk = load(|| (), move |()| read_desk());
    // What an answered absence did: kept here, as the desk is drawn again when it saves.
    let absences_said = RwSignal::new(None::<Message>);
    let places = crate::widgets::load_once(read_districts);
    view! {
        <section class="page desk">
            <h2 class="page-title">{text::DESK_TITLE}</h2>
            {crate::widgets::dynamic(move || match desk.get() {
                None => view! { <Loading /> }.into_any(),
                // Only a district's SC has a desk (the city's home says what the city has).
                Some(_) if !is_coordinator() => view! {
                    <p class="empty-message" data-desk="not-yours">{text::DESK_FOR_SC}</p>
                }.into_any(),
                Some(None) => view! { <p class="empty-message">{text::SIGN_IN_FIRST}</p> }.into_any(),
                Some(Some(desk)) => view! { <DeskBody desk=desk absences_said=absences_said /> }.into_any(),
            })}
            // Forms drawn once, outside the part drawn again at every sync: what is typed in
            // them, and what they said, stays.
            {crate::widgets::dynamic(move || match places.get() {
                Some(Some(places)) if is_coordinator() => view! {
                    {places.into_iter().map(|(id, name)| view! { <ContactsForm district=id name=name /> }).collect_view()}
                    <Devices />
                }.into_any(),
                _ => ().into_any(),
            })}
            <a href="/" class="button">{text::BACK_TO_LIST}</a>
        </section>
    }
}

fn resident_link(id: RecordId, name: &str) -> impl IntoView {
    let name = name.to_owned();
    view! { <a href=format!("/residents/{id}") class="list-item">{text::honorific(&name)}</a> }
}

#[component]
fn DeskBody(desk: Desk, absences_said: RwSignal<Option<Message>>) -> impl IntoView {
    let Desk {
        overdue,
        active,
        concerns,
        follow_ups,
        unassigned,
        stopped,
    } = desk;
    // 緊急 heads the desk, above everything else; the rest of the concerns keep their place.
    let (emergencies, concerns): (Vec<Concern>, Vec<Concern>) = concerns
        .into_iter()
        .partition(|c| c.outcome == Outcome::Emergency);
    view! {
        {(!emergencies.is_empty()).then(|| view! {
            <h3 class="section-title alert-title" data-desk="emergencies">{text::desk_emergencies(CONCERN_DAYS, emergencies.len())}</h3>
            <ul class="list">{emergencies.into_iter().map(|c| view! { <ConcernRow concern=c /> }).collect_view()}</ul>
        })}
        <h3 class="section-title" data-desk="overdue">{text::desk_overdue(overdue.len(), active)}</h3>
        <ul class="list">
            {overdue.into_iter().map(|row| view! {
                <li class="desk-row">
                    {resident_link(row.id, &row.name)}
                    <span class="watch-standing">{"⚠ "}{row.standing.text()}{"・"}{row.last_visit.clone()}</span>
                </li>
            }).collect_view()}
        </ul>
        <h3 class="section-title" data-desk="concerns">{text::desk_concerns(CONCERN_DAYS, concerns.len())}</h3>
        <ul class="list">
            {concerns.into_iter().map(|c| view! { <ConcernRow concern=c /> }).collect_view()}
        </ul>
        <h3 class="section-title" data-desk="follow-ups">{text::DESK_FOLLOW_UPS}</h3>
        {if follow_ups.is_empty() {
            view! { <p class="setting-note">{text::FOLLOW_UPS_EMPTY_ALL}</p> }.into_any()
        } else {
            follow_ups.into_iter().map(|(owner, items)| view! {
                <h4 class="owner-title">{text::owned_by(&owner)}{format!("（{}件）", items.len())}</h4>
                <ul class="list">
                    {items.into_iter().map(|item| view! {
                        <li><FollowUpCard row=item.row resident=Some(item.resident) owner=None /></li>
                    }).collect_view()}
                </ul>
            }).collect_view().into_any()
        }}
        <crate::features::salons::AbsenceSuggestions said=absences_said />
        <crate::features::resources::StaleResources />
        <h3 class="section-title" data-desk="unassigned">{text::desk_unassigned(unassigned.len())}</h3>
        <ul class="list">
            {unassigned.into_iter().map(|(id, name)| view! { <li>{resident_link(id, &name)}</li> }).collect_view()}
        </ul>
        {(!stopped.is_empty()).then(|| view! {
            <h3 class="section-title">{text::DESK_STOPPED}</h3>
            <ul class="list">
                {stopped.into_iter().map(|(id, name, why)| view! {
                    <li class="desk-row">{resident_link(id, &name)}<span>{why}</span></li>
                }).collect_view()}
            </ul>
        })}
    }
}

/// The district's SC and あんしんセンター numbers, which the emergency guide and 要連絡 show.
#[component]
fn ContactsForm(district: DistrictId, name: String) -> impl IntoView {
    let store = expect_context::<AppStore>();
    let sync = expect_context::<AppSync>();
    let sc_name = RwSignal::new(String::new());
    let sc_phone = RwSignal::new(String::new());
    let center_name = RwSignal::new(String::new());
    let center_phone = RwSignal::new(String::new());
    let stored = StoredValue::new_local(DistrictInfoPatch::default());
    let base = StoredValue::new_local(None);
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Message>);
    // Read once: a sync while typing must not replace what is typed.
    leptos::task::spawn_local(async move {
        let Some(store) = store.get() else { return };
        if let Ok((contacts, record)) = queries::contacts(&store, district).await {
            sc_name.set(contacts.sc_name.clone().unwrap_or_default());
            sc_phone.set(contacts.sc_phone.clone().unwrap_or_default());
            center_name.set(contacts.center_name.clone().unwrap_or_default());
            center_phone.set(contacts.center_phone.clone().unwrap_or_default());
            base.set_value(record.and_then(|r| r.newest_stamp()));
            stored.set_value(contacts);
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let held = stored.get_value();
        let changed = |now: RwSignal<String>, was: &Option<String>| {
            let now = now.get_untracked().trim().to_owned();
            (now != was.clone().unwrap_or_default()).then_some(now)
        };
        let patch = DistrictInfoPatch {
            sc_name: changed(sc_name, &held.sc_name),
            sc_phone: changed(sc_phone, &held.sc_phone)
                .map(|p| mimamori_core::kinds::normalize_phone(&p)),
            center_name: changed(center_name, &held.center_name),
            center_phone: changed(center_phone, &held.center_phone)
                .map(|p| mimamori_core::kinds::normalize_phone(&p)),
        };
        if patch == DistrictInfoPatch::default() {
            message.set(Some(Message::Done(text::NOTHING_CHANGED.to_owned())));
            return;
        }
        let draft = Draft {
            id: Some(district_info_id(district)),
            base: base.get_value(),
            district: Some(district),
            ..Draft::new(Body::DistrictInfo(patch.clone()))
        };
        leptos::task::spawn_local(async move {
            let fields = ["sc_name", "sc_phone", "center_name", "center_phone"];
            if save_form(sync, draft, &fields, errors, message)
                .await
                .is_some()
            {
                let mut h = stored.get_value();
                {
                    for (was, now) in [
                        (&mut h.sc_name, patch.sc_name),
                        (&mut h.sc_phone, patch.sc_phone),
                        (&mut h.center_name, patch.center_name),
                        (&mut h.center_phone, patch.center_phone),
                    ] {
                        if now.is_some() {
                            *was = now;
                        }
                    }
                }
                stored.set_value(h);
                message.set(Some(Message::Done(text::SAVED.to_owned())));
            }
        });
    };
    let max_name = || limits::district_info::MAX_NAME_CHARS.to_string();
    let max_phone = || limits::district_info::MAX_PHONE_CHARS.to_string();
    view! {
        <form class="form setting" on:submit=submit data-contacts=district.0.to_string()>
            <h3 class="setting-title">{text::contacts_title(&name)}</h3>
            <p class="setting-note">{text::CONTACTS_HELP}</p>
            <FormField label=text::SC_NAME field="sc_name" errors=errors>
                <input type="text" name="sc_name" maxlength=max_name() bind:value=sc_name />
            </FormField>
            <FormField label=text::SC_PHONE field="sc_phone" errors=errors>
                <input type="tel" name="sc_phone" maxlength=max_phone() bind:value=sc_phone />
            </FormField>
            <FormField label=text::CENTER_NAME field="center_name" errors=errors>
                <input type="text" name="center_name" maxlength=max_name() bind:value=center_name />
            </FormField>
            <FormField label=text::CENTER_PHONE field="center_phone" errors=errors>
                <input type="tel" name="center_phone" maxlength=max_phone() bind:value=center_phone />
            </FormField>
            <FormMessage message=message />
            <button type="submit" class="button primary" data-action="save-contacts">{text::SAVE}</button>
        </form>
    }
}

/// When a device was signed in or last seen, as people say it.
fn when(iso: &str) -> String {
    let ms = js_sys::Date::parse(iso);
    if ms.is_nan() {
        return iso.to_owned();
    }
    let at = local_time::minute_at(ms);
    say_day_and_time(at.date, at.hour, at.minute, local_time::today())
}

/// The district's phones: read from the server (only with signal), each revocable.
#[component]
fn Devices() -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let devices = RwSignal::new(None::<Result<Vec<DeviceInfo>, String>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let Some(token) = sync.token().await else {
                devices.set(Some(Err(text::SIGN_IN_FIRST.to_owned())));
                return;
            };
            devices.set(Some(match api::devices(&token).await {
                Ok(list) => Ok(list),
                Err(ApiFailure::Offline) => Err(text::DEVICES_NEED_SIGNAL.to_owned()),
                Err(other) => Err(other.message_ja()),
            }));
        });
    };
    reload();
    view! {
        <div class="setting" data-devices="">
            <h3 class="setting-title">{text::DEVICES_TITLE}</h3>
            {crate::widgets::dynamic(move || match devices.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(why)) => view! {
                    <p class="setting-note">{why}</p>
                    <button type="button" class="button" on:click=move |_| reload()>{text::TRY_AGAIN}</button>
                }.into_any(),
                Some(Ok(list)) => {
                    let (revoked, active): (Vec<_>, Vec<_>) = list.into_iter().partition(|d| d.revoked);
                    let count = revoked.len();
                    view! {
                        <ul class="list">
                            {active.into_iter().map(|device| view! { <DeviceItem device=device on_revoked=Callback::new(move |()| reload()) /> }).collect_view()}
                        </ul>
                        {(count > 0).then(|| view! {
                            <details class="section">
                                <summary>{text::revoked_devices(count)}</summary>
                                <ul class="list">
                                    {revoked.into_iter().map(|device| view! { <DeviceItem device=device on_revoked=Callback::new(move |()| reload()) /> }).collect_view()}
                                </ul>
                            </details>
                        })}
                    }.into_any()
                }
            })}
        </div>
    }
}

#[component]
fn DeviceItem(device: DeviceInfo, on_revoked: Callback<()>) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let status = expect_context::<crate::engine::SyncStatus>();
    // Revoking the phone in one's hand would sign oneself out: that is 「ログアウトする」.
    let this_phone = status
        .me
        .get_untracked()
        .is_some_and(|me| me.device_id == device.id);
    let confirming = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let id = device.id;
    let who = format!("{}（{}）", device.display_name, device.name);
    let seen = device.last_seen_at.as_deref().map_or_else(
        || text::NEVER_SYNCED.to_owned(),
        |at| text::last_seen(&when(at)),
    );
    let revoke = move |_| {
        leptos::task::spawn_local(async move {
            let Some(token) = sync.token().await else {
                return;
            };
            match api::revoke_device(&token, id).await {
                Ok(_) => on_revoked.run(()),
                Err(ApiFailure::Offline) => problem.set(Some(text::DEVICES_NEED_SIGNAL.to_owned())),
                Err(other) => problem.set(Some(other.message_ja())),
            }
        });
    };
    let confirm_text = text::revoke_confirm(&who);
    view! {
        <li class="device" data-device=id.0.to_string() data-revoked=device.revoked.to_string()>
            <p class="device-who">{who}</p>
            <p class="setting-note">{text::signed_in_at(&when(&device.created_at))}{"・"}{seen}</p>
            {if device.revoked {
                view! { <p class="setting-note">{text::REVOKED}</p> }.into_any()
            } else if this_phone {
                view! { <p class="setting-note">{text::THIS_PHONE}</p> }.into_any()
            } else {
                view! {
                    {crate::widgets::shown_when(move || !confirming.get(), move || view! {
                        <button type="button" class="button" data-action="revoke-device"
                            on:click=move |_| confirming.set(true)>{text::REVOKE}</button>
                    }.into_any())}
                    {crate::widgets::shown_when(move || confirming.get(), move || view! {
                        <div class="confirm" role="alertdialog">
                            <p>{confirm_text.clone()}</p>
                            <div class="button-row">
                                <button type="button" class="button" data-action="revoke-device-confirm" on:click=revoke>{text::REVOKE}</button>
                                <button type="button" class="button" on:click=move |_| confirming.set(false)>{text::CANCEL}</button>
                            </div>
                        </div>
                    }.into_any())}
                }.into_any()
            }}
            {move || problem.get().map(|p| view! { <p class="field-error" role="alert">{p}</p> })}
        </li>
    }
}

fn is_coordinator() -> bool {
    use_context::<crate::engine::SyncStatus>()
        .is_some_and(|s| s.me.get().is_some_and(|me| me.role.is_coordinator()))
}

/// A visit someone should hear about: who, its mark, when and what, by whom.
#[component]
fn ConcernRow(concern: Concern) -> impl IntoView {
    let c = concern;
    view! {
        <li class="desk-row" data-concern=c.outcome.code()>
            {resident_link(c.resident, &c.name)}
            <span><UrgencyMark outcome=c.outcome />" "{c.text}</span>
            <span class="visit-meta">{text::visited_by(&c.author)}</span>
        </li>
    }
}
