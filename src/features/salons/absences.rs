//! On the SC's desk: members absent from their salon several sessions in a row (3 unless the
//! salon says otherwise; cancelled sessions do not count), as suggestions to arrange a
//! 見守り visit. Accepting one makes a follow-up for the member's linked resident (owned by
//! the resident's volunteer, else the SC); a member not yet linked is linked to a resident
//! first (registered first if need be). Either answer, or 「今回は見送る」, marks the
//! absences as seen, so the suggestion comes back only after new ones.

use leptos::prelude::*;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{FollowUpPatch, MemberPatch};
use mimamori_core::record::{Body, RecordId, UserId};
use mimamori_core::salons::absences::DEFAULT_ABSENCES;
use mimamori_core::salons::{absentees, Absentee, MemberSince};
use mimamori_core::watch::Resident;

use super::queries::{self, Member};
use crate::app::{AppStore, AppSync, Flash};
use crate::features::watch::queries as watch_queries;
use crate::store::Draft;
use crate::widgets::load;
use crate::{local_time, text};

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
pub fn AbsenceSuggestions() -> impl IntoView {
    let data = load(|| (), |()| read());
    view! {
        <h3 class="section-title" data-desk="absences">{text::DESK_ABSENCES}</h3>
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
                            <li><SuggestionCard suggestion=s residents=residents me=me /></li>
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
) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    // The desk redraws after the save syncs: what was done is said in the app's flash line.
    let flash = expect_context::<Flash>();
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
    let link_to = RwSignal::new(String::new());
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
    let save = move |patch: MemberPatch, follow_up: Option<Draft>, said: String| {
        let mut drafts: Vec<Draft> = follow_up.into_iter().collect();
        drafts.push(Draft {
            id: Some(member_id),
            base,
            ..Draft::new(Body::SalonMember(patch))
        });
        leptos::task::spawn_local(async move {
            match sync.save_changes(drafts, None).await {
                Ok(_) => flash.show(said),
                Err(error) => flash.show(error.message_ja()),
            }
        });
    };
    let ask = {
        let name = name.clone();
        let salon = salon.clone();
        let linked = linked.clone();
        move |_| {
            let Some(resident) = linked.clone() else {
                return;
            };
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
                ..MemberPatch::default()
            };
            save(patch, Some(follow_up), text::absence_asked(&name));
        }
    };
    let link = {
        let name = name.clone();
        move |_| {
            let Ok(resident) = link_to.get_untracked().parse::<RecordId>() else {
                return;
            };
            let patch = MemberPatch {
                resident_id: Some(resident),
                ..MemberPatch::default()
            };
            save(patch, None, text::member_linked(&name));
        }
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
    view! {
        <div class="follow-up" data-absence=member_id.to_string()>
            <p class="follow-up-what">{said_line}</p>
            {match linked {
                Some(resident) => view! {
                    <p class="follow-up-for">{text::linked_resident(&resident.name)}</p>
                    <button type="button" class="button primary" data-action="ask-visit" on:click=ask>
                        {text::ASK_VISIT}
                    </button>
                }.into_any(),
                None => view! {
                    <label class="field"><span class="field-label">{text::LINK_RESIDENT}</span>
                        <select name="link_resident" bind:value=link_to>
                            <option value="">{text::CHOOSE}</option>
                            {residents.with_value(|all| all.iter().map(|r| view! {
                                <option value=r.id.to_string()>{r.name.clone()}</option>
                            }).collect_view())}
                        </select>
                    </label>
                    <div class="button-row">
                        <button type="button" class="button primary" data-action="link-resident" on:click=link>
                            {text::LINK}
                        </button>
                        <a href=register class="button" data-action="register-member">{text::REGISTER_FIRST}</a>
                    </div>
                }.into_any(),
            }}
            <button type="button" class="button" data-action="skip-absence" on:click=skip>{text::SKIP_ABSENCE}</button>
        </div>
    }
}
