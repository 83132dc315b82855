//! On the SC's desk: members absent from their salon several sessions in a row (3 unless the
//! salon says otherwise; cancelled sessions do not count), as suggestions to arrange a
//! 見守り visit. Accepting one makes a follow-up for the member's linked resident (owned by
//! the resident's volunteer, else the SC). A member not yet linked is offered the
//! residents of the same name (or found by typing a few letters of one): one tap links
//! them and asks for the visit; registering them first is a link away. Either answer, or
//! 「今回は見送る」, marks the absences as seen, so the suggestion comes back only after new
//! ones. What was done is said at the section's head, where the answered card was.

use leptos::prelude::*;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{FollowUpPatch, MemberPatch};
use mimamori_core::record::{Body, UserId};
use mimamori_core::salons::absences::DEFAULT_ABSENCES;
use mimamori_core::salons::{absentees, Absentee, MemberSince};
use mimamori_core::watch::{self, Resident};

use super::queries::{self, Member};
use crate::app::{AppStore, AppSync};
use crate::features::resources::queries::browser_nfkc;
use crate::features::watch::queries as watch_queries;
use crate::store::Draft;
use crate::widgets::{load, FormMessage, Message};
use crate::{local_time, text};

/// How many residents a card offers at once (of the name, or of what is typed).
const MAX_OFFERED: usize = 4;

#[derive(Clone, PartialEq)]
struct Suggestion {
    salon: String,
    member: Member,
    absentee: Absentee,
}

#[derive(Clone, PartialEq)]
struct Suggestions {
    list: Vec<Suggestion>,
    residents: Vec<Resident>,
    me: UserId,
}

async fn read() -> Option<Suggestions> {
    let store = expect_context::<AppStore>().get()?;
    let me = queries::me(&store).await?;
    if !me.role.is_coordinator() {
        return None;
    }
    let mut list = Vec::new();
    for item in queries::salons(&store).await {
        if !item.district.is_some_and(|d| me.districts.contains(&d)) {
            continue;
        }
        let records = queries::salon_records(&store, item.id).await;
        let taken = records.taken(&item);
        let members: Vec<MemberSince> = records
            .members
            .iter()
            .filter(|m| m.active())
            .map(|m| MemberSince {
                member: m.id,
                since: m
                    .member
                    .since
                    .unwrap_or(CivilDate::from_days_since_epoch(0)),
                checked_through: m.member.checked_through,
            })
            .collect();
        let threshold = item.salon.absence_alert.unwrap_or(DEFAULT_ABSENCES);
        for absentee in absentees(&members, &taken, threshold) {
            if let Some(member) = records.members.iter().find(|m| m.id == absentee.member) {
                list.push(Suggestion {
                    salon: item.name(),
                    member: member.clone(),
                    absentee,
                });
            }
        }
    }
    let mut residents = watch_queries::residents(&store).await.unwrap_or_default();
    mimamori_core::order::sort_by_key(&mut residents, |r| (r.kana.clone(), r.name.clone()));
    Some(Suggestions {
        list,
        residents,
        me: me.user_id,
    })
}

/// The desk's section of absences that suggest a visit.
#[component]
/// `said` outlives the card it speaks of (the card leaves once its answer is saved, and the
/// desk is drawn again): the desk keeps it.
pub fn AbsenceSuggestions(said: RwSignal<Option<Message>>) -> impl IntoView {
    let data = load(|| (), |()| read());
    view! {
        <h3 class="section-title" data-desk="absences">{text::DESK_ABSENCES}</h3>
        <div data-absences-said="">
            <FormMessage message=said />
        </div>
        {crate::widgets::dynamic(move || match data.get().flatten() {
            None => ().into_any(),
            Some(found) if found.list.is_empty() => {
                view! { <p class="setting-note">{text::NO_ABSENCES}</p> }.into_any()
            }
            Some(found) => {
                let residents = StoredValue::new(found.residents);
                let me = found.me;
                view! {
                    <ul class="list">
                        {found.list.into_iter().map(|s| view! {
                            <li><SuggestionCard suggestion=s residents=residents me=me said=said /></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        })}
    }
}

#[component]
fn SuggestionCard(
    suggestion: Suggestion,
    residents: StoredValue<Vec<Resident>>,
    me: UserId,
    said: RwSignal<Option<Message>>,
) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let Suggestion {
        salon,
        member,
        absentee,
    } = suggestion;
    let name = member.name();
    let today = local_time::today();
    let linked = member
        .member
        .resident_id
        .and_then(|id| residents.with_value(|all| all.iter().find(|r| r.id == id).cloned()));
    let looked_for = RwSignal::new(String::new());
    // Registering them first: the form opens with the name and kana the salon has.
    let register = format!(
        "/residents/new?name={}&kana={}",
        js_sys::encode_uri_component(&name),
        js_sys::encode_uri_component(&member.member.kana.clone().unwrap_or_default()),
    );
    let member_id = member.id;
    let base = member.base;
    let checked = absentee.last_missed;
    let said_line = text::absences_line(
        &name,
        &salon,
        absentee.missed,
        absentee.last_came.map(|d| text::day_heading(d, today)),
    );
    // Saves the member's change (and a follow-up with it), then says what was done.
    let save = move |patch: MemberPatch, follow_up: Option<Draft>, done: String| {
        let mut drafts: Vec<Draft> = follow_up.into_iter().collect();
        drafts.push(Draft {
            id: Some(member_id),
            base,
            ..Draft::new(Body::SalonMember(patch))
        });
        leptos::task::spawn_local(async move {
            said.set(None);
            let answer = match sync.save_changes(drafts, None).await {
                Ok(_) => Message::Done(done),
                Err(error) => Message::Problem(error.message_ja()),
            };
            said.set(Some(answer));
        });
    };
    // Asks for a visit to `resident`, linking the member to them first when they were not.
    let ask = {
        let salon = salon.clone();
        let already = linked.as_ref().map(|r| r.id);
        move |resident: Resident| {
            let owner = resident.assigned.iter().next().copied().unwrap_or(me);
            let follow_up = Draft::new(Body::FollowUp(FollowUpPatch {
                resident_id: Some(resident.id),
                what: Some(text::absence_follow_up(&salon, absentee.missed)),
                due: Some(local_time::today().add_days(7)),
                owner: Some(owner),
                ..FollowUpPatch::default()
            }));
            let patch = MemberPatch {
                checked_through: Some(checked),
                resident_id: (already != Some(resident.id)).then_some(resident.id),
                ..MemberPatch::default()
            };
            save(patch, Some(follow_up), text::absence_asked(&resident.name));
        }
    };
    // The residents of the member's name, then of what the SC types.
    let by_name: Vec<Resident> = residents.with_value(|all| {
        let mut found: Vec<Resident> = watch::residents_matching(all, &name, &browser_nfkc)
            .into_iter()
            .cloned()
            .collect();
        if let Some(kana) = member.member.kana.as_deref() {
            for r in watch::residents_matching(all, kana, &browser_nfkc) {
                if !found.iter().any(|f| f.id == r.id) {
                    found.push(r.clone());
                }
            }
        }
        found.truncate(MAX_OFFERED);
        found
    });
    let looked_up = move || -> Vec<Resident> {
        looked_for.with(|typed| {
            residents.with_value(|all| {
                watch::residents_matching(all, typed, &browser_nfkc)
                    .into_iter()
                    .take(MAX_OFFERED)
                    .cloned()
                    .collect()
            })
        })
    };
    let skip = {
        let name = name.clone();
        move |_| {
            let patch = MemberPatch {
                checked_through: Some(checked),
                ..MemberPatch::default()
            };
            save(patch, None, text::absence_skipped(&name));
        }
    };
    let ask_linked = ask.clone();
    let ask_named = ask.clone();
    view! {
        <div class="follow-up" data-absence=member_id.to_string()>
            <p class="follow-up-what">{said_line}</p>
            {match linked {
                Some(resident) => view! {
                    <p class="follow-up-for">{text::linked_resident(&resident.name)}</p>
                    <button type="button" class="button primary" data-action="ask-visit"
                        on:click=move |_| ask_linked(resident.clone())>
                        {text::ASK_VISIT}
                    </button>
                }.into_any(),
                None => view! {
                    {(!by_name.is_empty()).then(|| view! {
                        <p class="follow-up-for">{text::SAME_NAME_RESIDENTS}</p>
                    })}
                    {by_name.into_iter().map(|resident| {
                        let ask = ask_named.clone();
                        view! { <AskButton resident=resident on_ask=Callback::new(ask) /> }
                    }).collect_view()}
                    <label class="field"><span class="field-label">{text::FIND_RESIDENT}</span>
                        <input type="search" name="find_resident" autocomplete="off"
                            placeholder=text::FIND_RESIDENT_EXAMPLE bind:value=looked_for />
                    </label>
                    {move || {
                        let typed = looked_for.with(|t| !t.trim().is_empty());
                        let found = looked_up();
                        if typed && found.is_empty() {
                            return view! { <p class="setting-note" role="status">{text::NO_RESIDENT_FOUND}</p> }.into_any();
                        }
                        let ask = ask.clone();
                        found.into_iter().map(|resident| {
                            let ask = ask.clone();
                            view! { <AskButton resident=resident on_ask=Callback::new(ask) /> }
                        }).collect_view().into_any()
                    }}
                    <a href=register class="button" data-action="register-member">{text::REGISTER_FIRST}</a>
                }.into_any(),
            }}
            <button type="button" class="button" data-action="skip-absence" on:click=skip>{text::SKIP_ABSENCE}</button>
        </div>
    }
}

/// 「竹内 スミさん（乗附町 西）に見守りを頼む」: links the member to them and asks, in one tap.
#[component]
fn AskButton(resident: Resident, on_ask: Callback<Resident>) -> impl IntoView {
    let label = text::ask_visit_for(&resident.name, resident.patch.area.as_deref());
    let id = resident.id.to_string();
    view! {
        <button type="button" class="button primary" data-action="ask-visit-for" data-resident=id
            on:click=move |_| on_ask.run(resident.clone())>{label}</button>
    }
}
