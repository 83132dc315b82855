//! 記録・報告: the visits of the last 30 days, as figures by outcome and the latest ones
//! with who made them, and the month's figures of the salons the user runs. The month's
//! report for the city comes with its own issue.

use std::collections::BTreeMap;

use leptos::prelude::*;
use mimamori_core::calendar::say_day_and_time;
use mimamori_core::record::RecordId;
use mimamori_core::watch::visits_by_outcome;

use crate::app::AppStore;
use crate::features::salons::SalonFigures;
use crate::features::watch::queries;
use crate::widgets::{load, Loading};
use crate::{local_time, text};

/// The figures look back this many days, today included.
const DAYS: i64 = 30;
/// The latest visits listed.
const LATEST: usize = 20;

#[derive(Clone, PartialEq)]
struct Figures {
    total: usize,
    by_outcome: Vec<(String, usize)>,
    latest: Vec<(RecordId, String, String, String)>,
}

async fn read() -> Option<Figures> {
    let store = expect_context::<AppStore>().get()?;
    let (visits, residents, people) = futures::join!(
        queries::recent_visits(&store, DAYS),
        queries::residents(&store),
        queries::people(&store)
    );
    let mut visits = visits.ok()?;
    let names: BTreeMap<RecordId, String> = mimamori_core::order::map_of(
        residents
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.id, r.name)),
    );
    let today = local_time::today();
    let minute = |ms: i64| local_time::minute_at(ms as f64);
    let (total, by_outcome) = visits_by_outcome(
        visits.iter().map(|(_, _, v)| v),
        minute,
        today.add_days(1 - DAYS),
        today,
    );
    mimamori_core::order::sort_by_key(&mut visits, |(_, _, v)| std::cmp::Reverse(v.visited_at_ms));
    let latest = visits
        .iter()
        .take(LATEST)
        .map(|(_, author, visit)| {
            let at = minute(visit.visited_at_ms);
            (
                visit.resident_id,
                names.get(&visit.resident_id).cloned().unwrap_or_default(),
                format!(
                    "{} {}",
                    say_day_and_time(at.date, at.hour, at.minute, today),
                    visit.outcome.label_ja()
                ),
                people.name(*author),
            )
        })
        .collect();
    Some(Figures {
        total,
        by_outcome: by_outcome
            .into_iter()
            .map(|(o, n)| (o.label_ja().to_owned(), n))
            .collect(),
        latest,
    })
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let figures = load(|| (), |()| read());
    view! {
        <section class="page">
            <h2 class="page-title">{text::REPORTS_TITLE}</h2>
            {crate::widgets::dynamic(move || match figures.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Some(f)) if !f.latest.is_empty() => view! { <VisitFigures figures=f /> }.into_any(),
                // The city holds no visits (they are the districts'): it is told so, not
                // that none were made.
                Some(_) if for_city() => view! {
                    <p class="empty-detail" data-reports="city">{text::CITY_WATCH_WHAT}</p>
                }.into_any(),
                Some(_) => view! {
                    <p class="empty-message">{text::REPORTS_EMPTY}</p>
                    <p class="empty-detail">{text::REPORTS_EMPTY_DETAIL}</p>
                }.into_any(),
            })}
            <SalonFigures />
        </section>
    }
}

#[component]
fn VisitFigures(figures: Figures) -> impl IntoView {
    view! {
        <h3 class="section-title">{text::visits_in_days(DAYS, figures.total)}</h3>
        <dl class="details figures">
            {figures.by_outcome.into_iter().map(|(outcome, n)| view! {
                <div class="detail"><dt>{outcome}</dt><dd>{format!("{n}件")}</dd></div>
            }).collect_view()}
        </dl>
        <h3 class="section-title">{text::LATEST_VISITS}</h3>
        <ul class="list">
            {figures.latest.into_iter().map(|(resident, name, what, author)| view! {
                <li class="desk-row">
                    <a href=format!("/residents/{resident}") class="list-item">{text::honorific(&name)}</a>
                    <span>{what}</span>
                    <span class="visit-meta">{text::visited_by(&author)}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

fn for_city() -> bool {
    #[cfg(feature = "coordinator")]
    return crate::features::city::is_city();
    #[cfg(not(feature = "coordinator"))]
    false
}
