//! `/salons/:id`: one salon as the newsletter would print it (content, when, where, fee,
//! capacity, whom to call) with its next dates; for those who run it, the recent sessions'
//! attendance and each date's 変更・中止; for the SC, 編集. Its iCalendar feed is one tap
//! away for a family's calendar.

use crate::screens::id_param;
use leptos::prelude::*;
use mimamori_core::salons::Holidays;

use super::queries::{self, SalonItem, SalonRecords};
use super::week::SessionRow;
use crate::app::AppStore;
use crate::widgets::{load, Loading};
use crate::{local_time, text};

/// How many of the next dates the page lists.
const NEXT_SESSIONS: usize = 8;
/// How far back the recent sessions go.
const RECENT_DAYS: i64 = 60;

#[derive(Clone, PartialEq)]
struct Page {
    item: SalonItem,
    runs: bool,
    coordinator: bool,
    district: Option<String>,
    records: SalonRecords,
}

#[component]
pub fn SalonPage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let id = id_param();
    let page = load(
        move || id,
        move |id| async move {
            let store = store.get()?;
            let item = queries::salon(&store, id?).await?;
            let session = store.session().await.ok().flatten();
            let me = session.as_ref().map(|s| s.me.clone());
            let runs = me.as_ref().is_some_and(|m| item.run_by(m));
            let district = session.and_then(|s| {
                s.all_districts
                    .into_iter()
                    .chain(s.districts)
                    .find(|d| Some(mimamori_core::record::DistrictId(d.id)) == item.district)
                    .map(|d| d.name)
            });
            let records = if runs {
                queries::salon_records(&store, item.id).await
            } else {
                SalonRecords::default()
            };
            Some(Page {
                coordinator: runs && me.is_some_and(|m| m.role.is_coordinator()),
                item,
                runs,
                district,
                records,
            })
        },
    );
    view! {
        <section class="page">
            {crate::widgets::dynamic(move || match page.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! {
                    <h2 class="page-title">{text::SALONS_TITLE}</h2>
                    <p class="empty-message">{text::SALON_NOT_FOUND}</p>
                }.into_any(),
                Some(Some(page)) => view! { <SalonView page=page /> }.into_any(),
            })}
            <a href="/salons" class="button">{text::BACK_TO_SALONS}</a>
        </section>
    }
}

#[component]
fn SalonView(page: Page) -> impl IntoView {
    let Page {
        item,
        runs,
        coordinator,
        district,
        records,
    } = page;
    let today = local_time::today();
    let holidays = Holidays::default();
    let next: Vec<_> = item
        .sessions(&holidays, today, today.add_days(180))
        .into_iter()
        .take(NEXT_SESSIONS)
        .collect();
    let mut recent: Vec<_> = item
        .sessions(&holidays, today.add_days(-RECENT_DAYS), today)
        .into_iter()
        .filter(|s| s.takes_place())
        .collect();
    recent.reverse();
    let salon = item.salon.clone();
    let id = item.id;
    let calendar = format!("/api/v1/salons/{id}/calendar.ics");
    let members = records.members.iter().filter(|m| m.active()).count();
    let details: Vec<(&'static str, String)> = [
        (
            text::SALON_CONTENTS,
            salon.contents.as_ref().map(|c| {
                c.iter()
                    .map(|c| c.label_ja())
                    .collect::<Vec<_>>()
                    .join("・")
            }),
        ),
        (
            text::SALON_WHEN,
            salon.schedule.as_ref().map(|s| s.describe_ja()),
        ),
        (text::SALON_VENUE, salon.venue.clone()),
        (text::SALON_ADDRESS, salon.address.clone()),
        (text::SALON_FEE, salon.fee.clone()),
        (
            text::SALON_CAPACITY,
            salon.capacity.filter(|c| *c > 0).map(|c| format!("{c}人")),
        ),
        (
            text::SALON_APPLY,
            salon.apply_first.map(|a| text::apply_first(a).to_owned()),
        ),
        (text::SALON_CONTACT, salon.contact_name.clone()),
        (text::SALON_NOTE, salon.note.clone()),
        (text::DISTRICT, district),
    ]
    .into_iter()
    .filter_map(|(label, value)| Some((label, value.filter(|v| !v.is_empty())?)))
    .collect();
    let ended = salon.active == Some(false);
    view! {
        <h2 class="page-title" data-salon=id.to_string()>{item.name()}</h2>
        {ended.then(|| view! { <p class="notice">{text::SALON_ENDED}</p> })}
        {salon.contact_phone.clone().filter(|p| !p.is_empty()).map(|phone| view! {
            <a href=crate::features::watch::tel(&phone) class="button call-button" data-action="call-salon">
                <span>{text::SALON_CALL}</span><span class="call-number">{phone.clone()}</span>
            </a>
        })}
        <h3 class="section-title">{text::SALON_NEXT}</h3>
        {if next.is_empty() {
            view! { <p class="empty-message">{text::SALON_NO_NEXT}</p> }.into_any()
        } else {
            let item = item.clone();
            view! {
                <ul class="list">
                    {next.into_iter().map(|session| view! {
                        <li><SessionRow salon=item.clone() session=session runs=runs show_name=false /></li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(runs && !ended).then(|| view! {
            <a href=format!("/salons/{id}/extra") class="button" data-action="add-extra">{text::ADD_EXTRA_SESSION}</a>
        })}
        {runs.then(|| view! {
            <h3 class="section-title">{text::SALON_RECENT}</h3>
            <p class="setting-note">{text::members_count(members)}</p>
            <ul class="list">
                {recent.into_iter().take(6).map(|session| {
                    let taken = records.attendance.get(&session.scheduled).map(|a| {
                        let t = a.taken.taken();
                        t.map_or(0, |t| t.present.len() + usize::from(t.counts.walk_ins))
                    });
                    view! {
                        <li class="list-item">
                            <a href=format!("/salons/{id}/sessions/{}", session.scheduled) class="salon-link"
                                data-action="open-attendance" data-session=session.scheduled.to_string()>
                                <span class="watch-name">{text::day_heading(session.date, today)}</span>
                                <span class="watch-last">{text::attendance_summary(taken)}</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
        <h3 class="section-title">{text::SALON_DETAILS}</h3>
        <dl class="details">
            {details.into_iter().map(|(label, value)| view! {
                <div class="detail"><dt>{label}</dt><dd>{value}</dd></div>
            }).collect_view()}
        </dl>
        <a href=calendar class="button" data-action="salon-calendar" download="salon.ics">{text::SALON_CALENDAR}</a>
        <p class="setting-note">{text::SALON_CALENDAR_NOTE}</p>
        {coordinator.then(|| view! {
            <a href=format!("/salons/{id}/edit") class="button" data-action="edit-salon">{text::EDIT_SALON}</a>
        })}
    }
}
