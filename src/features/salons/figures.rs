//! On the 記録 tab: each salon the user runs, this month and last, in the numbers the
//! 協議体 meeting asks for (開催回数, 延べ参加者数, 実人数, the average, 担い手, 初参加),
//! computed by the core's `salons::month_figures` from the sessions' attendance.

use leptos::prelude::*;
use mimamori_core::salons::{month_figures, MonthFigures};

use super::queries;
use crate::app::AppStore;
use crate::widgets::load;
use crate::{local_time, text};

#[derive(Clone, PartialEq)]
struct SalonMonths {
    name: String,
    months: Vec<(String, MonthFigures)>,
}

async fn read() -> Vec<SalonMonths> {
    let Some(store) = expect_context::<AppStore>().get() else {
        return Vec::new();
    };
    let Some(me) = queries::me(&store).await else {
        return Vec::new();
    };
    let today = local_time::today();
    let last_month = if today.month == 1 {
        (today.year - 1, 12)
    } else {
        (today.year, today.month - 1)
    };
    let mut all = Vec::new();
    for item in queries::salons(&store).await {
        if !item.run_by(&me) {
            continue;
        }
        let taken = queries::salon_records(&store, item.id).await.taken(&item);
        let months = [(today.year, today.month), last_month]
            .into_iter()
            .map(|(year, month)| {
                (
                    text::month_heading(year, month),
                    month_figures(&taken, year, month),
                )
            })
            .collect();
        all.push(SalonMonths {
            name: item.name(),
            months,
        });
    }
    all
}

/// The salons' figures (nothing for someone who runs no salon).
#[component]
pub fn SalonFigures() -> impl IntoView {
    let data = load(|| (), |()| read());
    move || {
        let salons = data.get().unwrap_or_default();
        (!salons.is_empty()).then(|| view! {
            <h3 class="section-title">{text::SALON_FIGURES}</h3>
            {salons.into_iter().map(|salon| view! {
                <h4 class="owner-title">{salon.name}</h4>
                {salon.months.into_iter().map(|(month, f)| { let label = month.clone(); view! {
                    <dl class="details figures" data-month=label>
                        <div class="detail"><dt>{month}</dt><dd>{text::sessions_held(f.sessions)}</dd></div>
                        <div class="detail"><dt>{text::ATTENDANCES}</dt><dd>{text::people(f.attendances)}</dd></div>
                        <div class="detail"><dt>{text::DISTINCT_PEOPLE}</dt><dd>{text::people(f.people)}</dd></div>
                        <div class="detail"><dt>{text::AVERAGE}</dt><dd>{f.average().map_or_else(|| "—".to_owned(), |a| format!("{a}人"))}</dd></div>
                        <div class="detail"><dt>{text::HELPERS_TOTAL}</dt><dd>{text::people(f.helpers)}</dd></div>
                        <div class="detail"><dt>{text::FIRST_TIMERS}</dt><dd>{text::people(f.first_timers)}</dd></div>
                        <div class="detail"><dt>{text::VISITORS}</dt><dd>{text::people(f.visitors)}</dd></div>
                    </dl>
                }}).collect_view()}
            }).collect_view()}
        })
    }
}
