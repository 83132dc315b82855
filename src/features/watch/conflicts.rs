//! 食い違い: where two people changed the same field of a resident without seeing each
//! other's change. The newer write is kept; the other is listed here for the SC, so that
//! nothing anyone typed disappears unseen.

use leptos::prelude::*;
use mimamori_core::calendar::say_day_and_time;
use mimamori_core::kinds::field_label_ja;
use mimamori_core::merge::{value_text, Conflict, LwwRecord};

use crate::{local_time, text};

fn when(conflict_stamp_ms: u64) -> String {
    let at = local_time::minute_at(conflict_stamp_ms as f64);
    say_day_and_time(at.date, at.hour, at.minute, local_time::today())
}

fn line(conflict: &Conflict) -> (String, String, String) {
    (
        field_label_ja(&conflict.field).to_owned(),
        format!(
            "{}（{}）",
            value_text(&conflict.winning.value),
            when(conflict.winning.stamp.wall_ms)
        ),
        format!(
            "{}（{}）",
            value_text(&conflict.losing.value),
            when(conflict.losing.stamp.wall_ms)
        ),
    )
}

#[component]
pub fn ConflictList(record: Signal<Option<LwwRecord>>) -> impl IntoView {
    // Worked out once per change of the record, read by the heading and the list.
    let lines = Memo::new(move |_| {
        record
            .get()
            .map(|r| {
                r.conflicts_newest_first()
                    .into_iter()
                    .map(line)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    view! {
        {crate::widgets::shown_when(move || !lines.with(Vec::is_empty), move || view! {
            <section class="conflicts" aria-labelledby="conflicts-title">
                <h3 id="conflicts-title" class="setting-title">{move || text::conflicts_title(lines.with(Vec::len))}</h3>
                <p class="setting-note">{text::CONFLICTS_HELP}</p>
                <ul class="list">
                    {move || lines.get().into_iter().map(|(field, kept, other)| view! {
                        <li class="conflict">
                            <p class="conflict-field">{field}</p>
                            <p>{text::CONFLICT_KEPT} " " <span class="conflict-kept">{kept}</span></p>
                            <p>{text::CONFLICT_OTHER} " " <span class="conflict-other">{other}</span></p>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }.into_any())}
    }
}
