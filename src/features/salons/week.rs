//! `/salons`: 今週・来週. The sessions from today to the end of next week, day by day, in the
//! user's districts (or the whole city), cancelled ones marked 中止 with why and moved ones at
//! their new time; then every salon, for the ones that meet monthly.

use leptos::prelude::*;
use mimamori_core::calendar::CivilDate;
use mimamori_core::salons::{Holidays, Session, SessionStatus};

use super::queries::{self, SalonItem};
use crate::app::AppStore;
use crate::widgets::{load, Chip, Chips, Loading};
use crate::{local_time, text};

#[derive(Clone, PartialEq)]
struct Week {
    me: Option<mimamori_core::api::Me>,
    salons: Vec<SalonItem>,
    /// Every district's name, to say where another district's salon is.
    districts: Vec<mimamori_core::api::District>,
}

/// Today and the last day of next week (weeks end on Sunday).
fn fortnight(today: CivilDate) -> (CivilDate, CivilDate) {
    let to_sunday = i64::from((7 - today.weekday()) % 7);
    (today, today.add_days(to_sunday + 7))
}

#[component]
pub fn SalonsPage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let scope = RwSignal::new(vec!["mine".to_owned()]);
    let data = load(
        || (),
        move |()| async move {
            let store = store.get()?;
            let session = store.session().await.ok().flatten();
            Some(Week {
                me: session.as_ref().map(|s| s.me.clone()),
                districts: session.map(|s| s.all_districts).unwrap_or_default(),
                salons: queries::salons(&store).await,
            })
        },
    );
    view! {
        <section class="page">
            <h2 class="page-title">{text::SALONS_WEEK_TITLE}</h2>
            {crate::widgets::dynamic(move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! { <p class="empty-message">{text::SIGN_IN_FIRST}</p> }.into_any(),
                Some(Some(week)) if week.me.is_none() => view! {
                    <div class="empty-state">
                        <p class="empty-message">{text::SALONS_SIGN_IN_HINT}</p>
                        <a href="/settings" class="button">{text::GO_TO_SETTINGS}</a>
                    </div>
                }.into_any(),
                Some(Some(week)) => view! { <WeekView week=week scope=scope /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn WeekView(week: Week, scope: RwSignal<Vec<String>>) -> impl IntoView {
    let whole_city = move || scope.with(|s| s.iter().any(|c| c == "city"));
    let Week {
        me,
        salons,
        districts,
    } = week;
    let coordinator = me.as_ref().is_some_and(|m| m.role.is_coordinator());
    let my_districts =
        StoredValue::new(me.as_ref().map(|m| m.districts.clone()).unwrap_or_default());
    let me = StoredValue::new(me);
    let salons = StoredValue::new(salons);
    // Another district's salon says where it is.
    let elsewhere = StoredValue::new(districts);
    let place = move |salon: &SalonItem| -> Option<String> {
        let district = salon.district?;
        if my_districts.with_value(|m| m.contains(&district)) {
            return None;
        }
        elsewhere.with_value(|all| {
            all.iter()
                .find(|d| d.id == district.0)
                .map(|d| d.name.clone())
        })
    };
    let shown = move || -> Vec<SalonItem> {
        let city = whole_city();
        salons.with_value(|all| {
            all.iter()
                .filter(|s| {
                    city || s
                        .district
                        .is_some_and(|d| my_districts.with_value(|m| m.contains(&d)))
                })
                .cloned()
                .collect()
        })
    };
    let days = move || {
        let today = local_time::today();
        let (from, to) = fortnight(today);
        let holidays = Holidays::default();
        let mut sessions: Vec<(Session, SalonItem)> = shown()
            .into_iter()
            .flat_map(|salon| {
                salon
                    .sessions(&holidays, from, to)
                    .into_iter()
                    .map(move |session| (session, salon.clone()))
            })
            .collect();
        mimamori_core::order::sort_by_key(&mut sessions, |(s, _)| (s.date, s.start));
        let mut by_day: Vec<(CivilDate, Vec<(Session, SalonItem)>)> = Vec::new();
        for (session, salon) in sessions {
            match by_day.last_mut() {
                Some((date, list)) if *date == session.date => list.push((session, salon)),
                _ => by_day.push((session.date, vec![(session, salon)])),
            }
        }
        (today, by_day)
    };
    view! {
        <Chips legend=text::SALONS_SCOPE attribute="scope" single=true chosen=scope
            options=vec![Chip::new("mine", text::SALONS_MINE), Chip::new("city", text::SALONS_CITY)] />
        {move || {
            let (today, by_day) = days();
            if by_day.is_empty() {
                return view! { <p class="empty-message">{text::SALONS_NONE_THIS_FORTNIGHT}</p> }.into_any();
            }
            view! {
                <div class="salon-days">
                    {by_day.into_iter().map(|(date, list)| view! {
                        <h3 class="section-title" data-day=date.to_string()>{text::day_heading(date, today)}</h3>
                        <ul class="list">
                            {list.into_iter().map(|(session, salon)| {
                                let runs = me.with_value(|m| m.as_ref().is_some_and(|m| salon.run_by(m)));
                                let district = place(&salon);
                                view! { <li><SessionRow salon=salon session=session runs=runs show_name=true district=district /></li> }
                            }).collect_view()}
                        </ul>
                    }).collect_view()}
                </div>
            }.into_any()
        }}
        <h3 class="section-title">{text::SALONS_ALL}</h3>
        {move || {
            let list = shown();
            if list.is_empty() {
                return view! { <p class="empty-message">{text::SALONS_EMPTY}</p> }.into_any();
            }
            view! {
                <ul class="list">
                    {list.into_iter().map(|salon| view! {
                        <li class="list-item">
                            <a href=format!("/salons/{}", salon.id) class="salon-link" data-salon=salon.id.to_string()>
                                <span class="watch-name">{salon.name()}{place(&salon).map(|d| format!("（{d}）"))}</span>
                                <span class="watch-last">{salon.salon.schedule.as_ref().map(|s| s.describe_ja())}</span>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {crate::widgets::shown_when(move || coordinator, move || view! {
            <a href="/salons/new" class="button wide" data-action="add-salon">{text::ADD_SALON}</a>
        }.into_any())}
    }
}

/// One session: when, what, where, and what became of it; for those who run the salon, 出欠
/// (on the day and after) and 変更・中止 (from today on).
#[component]
pub fn SessionRow(
    salon: SalonItem,
    session: Session,
    runs: bool,
    show_name: bool,
    /// Another district's name, where the salon is not in the user's.
    #[prop(optional_no_strip)]
    district: Option<String>,
) -> impl IntoView {
    let today = local_time::today();
    let status = match &session.status {
        SessionStatus::Held => None,
        SessionStatus::Moved => Some(text::session_moved(&session.reason)),
        SessionStatus::Extra => Some(text::session_extra(&session.reason)),
        SessionStatus::Cancelled(reason) => Some(text::session_cancelled(reason)),
        SessionStatus::HolidayOff(holiday) => Some(text::session_holiday(holiday)),
    };
    let off = !session.takes_place();
    let venue = session
        .venue
        .clone()
        .or_else(|| salon.salon.venue.clone())
        .unwrap_or_default();
    let venue = match district {
        Some(district) => format!("{venue}（{district}）"),
        None => venue,
    };
    let base = format!("/salons/{}", salon.id);
    let attendance = format!("{base}/sessions/{}", session.scheduled);
    let change = format!("{base}/dates/{}", session.scheduled);
    let when = if show_name {
        format!("{}〜{}", session.start, session.end)
    } else {
        format!(
            "{} {}〜{}",
            text::day_heading(session.date, today),
            session.start,
            session.end
        )
    };
    view! {
        <div class="session" data-salon=salon.id.to_string() data-session=session.scheduled.to_string() data-off=off.to_string()>
            <p class="session-when">{when}</p>
            {show_name.then(|| view! { <a href=base.clone() class="session-name">{salon.name()}</a> })}
            <p class="session-where">{venue}</p>
            {status.map(|s| view! { <p class="session-status">{s}</p> })}
            {(runs && (session.date >= today || !off)).then(|| view! {
                <div class="button-row">
                    {(!off && session.date <= today).then(|| view! {
                        <a href=attendance class="button primary" data-action="take-attendance">{text::TAKE_ATTENDANCE}</a>
                    })}
                    {(session.date >= today).then(|| view! {
                        <a href=change class="button" data-action="change-session">{text::CHANGE_SESSION}</a>
                    })}
                </div>
            })}
        </div>
    }
}
