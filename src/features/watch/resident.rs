//! A resident's page: 訪問を記録する first, then who they are (contacts, emergency contact,
//! status, who visits them), open follow-ups, the needs of the last visits at a glance, and
//! their visits, newest first, a page at a time. The volunteer whose change lost to
//! another's is told here; the SC sees 食い違い and may manage the resident.

use crate::screens::use_params_map;
use leptos::prelude::*;
use mimamori_core::calendar::say_day;
use mimamori_core::kinds::{field_label_ja, WatchStatus};
use mimamori_core::merge::value_text;
use mimamori_core::record::RecordId;

use super::conflicts::ConflictList;
use super::follow_ups::FollowUpCard;
use super::queries::{self, HistoryLine, ResidentView};
use crate::app::AppStore;
use crate::engine::SyncStatus;
use crate::widgets::{load, Loading, UrgencyMark};
use crate::{local_time, text};

/// How many visits the history shows at first, and adds with each もっと見る.
const HISTORY_PAGE: usize = 20;

#[component]
pub fn ResidentPage() -> impl IntoView {
    let params = use_params_map();
    let store = expect_context::<AppStore>();
    let id = move || params.read().get("id").unwrap_or_default();
    let resident = load(id, move |id| async move {
        let (Some(store), Ok(id)) = (store.get(), id.parse::<RecordId>()) else {
            return None;
        };
        queries::resident(&store, id).await.ok().flatten()
    });
    view! {
        <section class="page">
            {crate::widgets::dynamic(move || match resident.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! {
                    <p class="empty-message">{text::RECORD_NOT_FOUND}</p>
                }.into_any(),
                Some(Some(view)) => view! { <ResidentDetails view=view /> }.into_any(),
            })}
            <a href="/" class="button">{text::BACK_TO_LIST}</a>
        </section>
    }
}

#[component]
fn ResidentDetails(view: ResidentView) -> impl IntoView {
    let status = expect_context::<SyncStatus>();
    // Read once: the page is drawn again whenever its data is read again.
    let coordinator = status
        .me
        .get_untracked()
        .is_some_and(|me| me.role.is_coordinator());
    let id = view.resident.id.to_string();
    let patch = view.resident.patch.clone();
    let shown = RwSignal::new(HISTORY_PAGE);
    let history = view.history.clone();
    let total = history.len();
    let merged = Signal::derive({
        let record = view.record.clone();
        move || Some(record.clone())
    });
    let active = view.resident.status == WatchStatus::Active;
    let today = local_time::today();
    let status_line = match &patch.status {
        Some(s) if s.state != WatchStatus::Active && !s.reason.is_empty() => {
            format!("{}（{}）", s.state.label_ja(), s.reason)
        }
        Some(s) => s.state.label_ja().to_owned(),
        None => WatchStatus::Active.label_ja().to_owned(),
    };
    let standing = view.standing.map(|s| s.text());
    let details: Vec<(&'static str, String)> = [
        (text::RESIDENT_KANA, patch.kana.clone()),
        (text::RESIDENT_AREA, patch.area.clone()),
        (text::RESIDENT_ADDRESS, patch.address.clone()),
        (
            text::VISIT_INTERVAL_SHOWN,
            Some(text::every_days(view.resident.interval_days)),
        ),
        (text::WATCH_STATUS, Some(status_line)),
        (
            text::ASSIGNED,
            Some(if view.assigned_names.is_empty() {
                text::NOBODY_ASSIGNED.to_owned()
            } else {
                view.assigned_names.join("、")
            }),
        ),
        (
            text::CONSENT,
            patch.consent.as_ref().map(|c| {
                text::consent_line(&say_day(c.date, today), &c.scope, c.share_with_center)
            }),
        ),
        (text::RESIDENT_NOTE, patch.note.clone()),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.filter(|v| !v.trim().is_empty()).map(|v| (label, v)))
    .collect();
    let phone = patch.phone.clone().filter(|p| !p.is_empty());
    let contact = patch
        .emergency_contact
        .clone()
        .filter(|c| !c.name.is_empty() || !c.phone.is_empty());
    view! {
        <h2 class="page-title">{text::honorific(&view.resident.name)}</h2>
        <p class="resident-standing" data-overdue=view.standing.is_some_and(|s| s.is_overdue()).to_string()>
            {standing.clone()}
            <span class="watch-last">{text::LAST_VISIT}{view.last_visit.clone()}</span>
        </p>
        {view.has_draft.then(|| view! { <p class="notice" data-draft="">{text::DRAFT_WAITING}</p> })}
        {active.then(|| view! {
            <a href=format!("/residents/{id}/visit") class="button primary wide"
                data-action="record-visit">{text::LOG_VISIT}</a>
        })}
        {(!view.lost_edits.is_empty()).then(|| view! {
            <div class="notice lost-edits" role="status" data-lost-edits="">
                <p class="conflict-field">{text::LOST_EDITS_TITLE}</p>
                {view.lost_edits.iter().map(|lost| {
                    let c = &lost.0;
                    view! {
                        <p>{text::lost_edit(field_label_ja(&c.field), &value_text(&c.losing.value), &value_text(&c.winning.value))}</p>
                    }
                }).collect_view()}
            </div>
        })}
        <dl class="details">
            {details.into_iter().map(|(label, value)| view! {
                <div class="detail"><dt>{label}</dt><dd>{value}</dd></div>
            }).collect_view()}
            {phone.map(|phone| view! {
                <div class="detail"><dt>{text::RESIDENT_PHONE}</dt>
                    <dd><a class="tel" href=format!("tel:{phone}")>{phone.clone()}</a></dd></div>
            })}
            {contact.map(|c| view! {
                <div class="detail"><dt>{text::EMERGENCY_CONTACT}</dt>
                    <dd>
                        {format!("{} {}", c.name, if c.relation.is_empty() { String::new() } else { format!("（{}）", c.relation) })}
                        {(!c.phone.is_empty()).then(|| view! { <a class="tel" href=format!("tel:{}", c.phone)>{c.phone.clone()}</a> })}
                    </dd></div>
            })}
        </dl>
        <div class="button-row">
            <a href=format!("/residents/{}/edit", view.resident.id) class="button" data-action="edit-resident">
                {text::EDIT_RESIDENT}
            </a>
            {coordinator.then(|| view! {
                <a href=format!("/residents/{}/manage", view.resident.id) class="button" data-action="manage-resident">
                    {text::MANAGE_RESIDENT}
                </a>
            })}
        </div>
        // Conflicts are the SC's to settle (domain.md): volunteers are not shown them.
        {coordinator.then(|| view! { <ConflictList record=merged /> })}
        {(!view.follow_ups.is_empty()).then(|| view! {
            <h3 class="section-title">{text::FOLLOW_UPS_OPEN}</h3>
            <ul class="list">
                {view.follow_ups.iter().cloned().map(|row| view! { <li><FollowUpCard row=row resident=None owner=None /></li> }).collect_view()}
            </ul>
        })}
        {(!view.needs.is_empty()).then(|| view! {
            <h3 class="section-title">{text::NEEDS_AT_A_GLANCE}</h3>
            <p class="needs">{view.needs.iter().map(|(need, n)| text::need_count(need.label_ja(), *n)).collect::<Vec<_>>().join("　")}</p>
        })}
        {(!view.introduced.is_empty()).then(|| view! {
            <h3 class="section-title">{text::SECTION_RESOURCES}</h3>
            <ul class="list" data-introduced="">
                {view.introduced.iter().cloned().map(|entry| view! {
                    <li class="list-item">
                        <a href=format!("/resources/{}", entry.id) class="resource-link" data-resource=entry.id.to_string()>
                            <span class="watch-name">{entry.name.unwrap_or_else(|| text::RESOURCE_UNKNOWN.to_owned())}</span>
                            <span class="resource-meta">{text::introduced_on(entry.on)}</span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        })}
        <h3 class="section-title">{text::VISITS_TITLE}{format!("（{total}件）")}</h3>
        <ul class="list visits">
            {move || history.iter().take(shown.get()).cloned().map(|line| view! { <HistoryItem line=line /> }).collect_view()}
        </ul>
        {(total == 0).then(|| view! { <p class="setting-note">{text::VISITS_EMPTY}</p> })}
        {move || (shown.get() < total).then(|| view! {
            <button type="button" class="button wide" data-action="more-visits"
                on:click=move |_| shown.update(|n| *n += HISTORY_PAGE)>{text::MORE_VISITS}</button>
        })}
    }
}

#[component]
fn HistoryItem(line: HistoryLine) -> impl IntoView {
    let id = line.line.id.to_string();
    view! {
        <li class="visit-line" data-visit=id.clone() data-outcome=line.line.outcome.code()>
            <span><UrgencyMark outcome=line.line.outcome />" "{line.line.text}</span>
            <span class="visit-meta">
                {text::visited_by(&line.author)}
                {line.line.corrected.map(|when| text::corrected_at(&when))}
            </span>
            {line.mine.then(|| view! {
                <a href=format!("/visits/{id}/edit") class="button small-inline" data-action="correct-visit">{text::CORRECT}</a>
            })}
        </li>
    }
}
