//! `/salons/:id/sessions/:date`: 出欠 at the door. The salon's members as big buttons sorted
//! by kana (a tap ticks or un-ticks one, saved at once, so nothing is lost if the phone
//! dies), the numbers counted at the door (当日参加, 見学, 担い手, 初参加) with − and ＋,
//! a note, and a member added on the spot. Two organisers may take it on two phones
//! offline: each tick merges on its own and each counts for themselves (the larger count
//! stands: `kinds::attendance`).

use leptos::prelude::*;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{attendance_id, limits, AttendancePatch, MemberPatch};
use mimamori_core::record::{Body, RecordId, UserId};
use mimamori_core::salons::{Counts, Holidays};

use super::dates::date_param;
use super::queries::{self, Member, SalonItem, SalonRecords};
use crate::app::{AppStore, AppSync};
use crate::screens::id_param;
use crate::store::{Draft, Store};
use crate::widgets::{Chip, Chips, FormMessage, Loading, Message};
use crate::{local_time, text};

/// Which of the door's numbers a counter changes.
type CountField = fn(&mut Counts) -> &mut u16;

#[derive(Clone)]
struct Door {
    item: SalonItem,
    me: UserId,
    records: SalonRecords,
    /// The date it takes place (the scheduled one unless moved).
    held_on: CivilDate,
}

#[component]
pub fn AttendancePage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let (id, date) = (id_param(), date_param());
    // Read once: the ticks live in this screen's signals and are saved one by one.
    let door = crate::widgets::load_once(move || async move {
        let store = store.get()?;
        let item = queries::salon(&store, id?).await?;
        let me = queries::me(&store).await?;
        let scheduled = date?;
        let session = item
            .sessions(
                &Holidays::default(),
                scheduled.add_days(-62),
                scheduled.add_days(62),
            )
            .into_iter()
            .find(|s| s.scheduled == scheduled && s.takes_place())?;
        if !item.run_by(&me) {
            return None;
        }
        let records = queries::salon_records(&store, item.id).await;
        Some(Door {
            item,
            me: me.user_id,
            records,
            held_on: session.date,
        })
    });
    view! {
        <section class="page">
            <h2 class="page-title">{text::ATTENDANCE_TITLE}</h2>
            {crate::widgets::dynamic(move || match (door.get(), date) {
                (None, _) => view! { <Loading /> }.into_any(),
                (Some(Some(door)), Some(date)) => view! { <DoorView door=door date=date /> }.into_any(),
                _ => view! { <p class="empty-message">{text::SESSION_NOT_FOUND}</p> }.into_any(),
            })}
            {id.map(|id| view! { <a href=format!("/salons/{id}") class="button">{text::BACK_TO_SALON}</a> })}
        </section>
    }
}

/// Saves one change of the session's attendance, on top of what this phone holds of it.
async fn save(
    sync: AppSync,
    store: Store,
    salon: RecordId,
    date: CivilDate,
    mut patch: AttendancePatch,
) -> bool {
    let id = attendance_id(salon, date);
    let base = store
        .record(&id.to_string())
        .await
        .ok()
        .flatten()
        .and_then(|r| r.live())
        .and_then(|s| s.newest_stamp());
    patch.salon_id = Some(salon);
    patch.date = Some(date);
    let draft = Draft {
        id: Some(id),
        base,
        ..Draft::new(Body::Attendance(patch))
    };
    sync.save_draft(draft).await.is_ok()
}

#[component]
fn DoorView(door: Door, date: CivilDate) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let store = expect_context::<AppStore>();
    let Door {
        item,
        me,
        records,
        held_on,
    } = door;
    let salon = item.id;
    let held = records
        .attendance
        .get(&date)
        .map(|a| a.taken.clone())
        .unwrap_or_default();
    // Member ids, as the chips hold them.
    let present = RwSignal::new(
        held.present
            .iter()
            .filter(|(_, here)| **here)
            .map(|(m, _)| m.to_string())
            .collect::<Vec<String>>(),
    );
    let mine = RwSignal::new(held.counts.get(&me).copied().unwrap_or_default());
    let others = held
        .counts
        .iter()
        .filter(|(who, _)| **who != me)
        .fold(Counts::default(), |all, (_, c)| all.joined(*c));
    let members = RwSignal::new(
        records
            .members
            .into_iter()
            .filter(|m| m.active() || held.present.get(&m.id) == Some(&true))
            .collect::<Vec<Member>>(),
    );
    let note = RwSignal::new(held.note.clone().unwrap_or_default());
    let message = RwSignal::new(None::<Message>);
    let moved = (held_on != date).then_some(held_on);
    // Said under the note's button, where the eye is after tapping it.
    let note_message = RwSignal::new(None::<Message>);
    // Every save goes through here: the line `shown` says a failure (and `saved`, if given,
    // once it is saved); the screen keeps what was tapped.
    let send =
        move |patch: AttendancePatch, shown: RwSignal<Option<Message>>, saved: Option<String>| {
            let Some(store) = store.get() else { return };
            let patch = AttendancePatch {
                held_on: moved,
                ..patch
            };
            leptos::task::spawn_local(async move {
                if !save(sync, store, salon, date, patch).await {
                    shown.set(Some(Message::Problem(
                        text::ATTENDANCE_NOT_SAVED.to_owned(),
                    )));
                } else if let Some(saved) = saved {
                    shown.set(Some(Message::Done(saved)));
                }
            });
        };
    // Each tick is saved on its own; a line over the bottom bar says it was, by name,
    // wherever in the list the finger is.
    let cue = RwSignal::new(None::<Message>);
    let mark = move |member: RecordId, here: bool| {
        let name = members.with_untracked(|all| {
            all.iter()
                .find(|m| m.id == member)
                .map(Member::name)
                .unwrap_or_default()
        });
        cue.set(None);
        send(
            AttendancePatch {
                present: mimamori_core::order::map_of([(member, here)]),
                ..AttendancePatch::default()
            },
            cue,
            Some(text::tick_saved(&name, here)),
        );
    };
    // A member added at the door came: ticked at once.
    let tick = move |member: RecordId| {
        present.update(|p| p.push(member.to_string()));
        mark(member, true);
    };
    let count = move |change: CountField, by: i32| {
        mine.update(|c| {
            let n = change(c);
            *n = (i32::from(*n) + by).clamp(0, i32::from(limits::attendance::MAX_COUNT)) as u16;
        });
        send(
            AttendancePatch {
                counts: mimamori_core::order::map_of([(me, mine.get_untracked())]),
                ..AttendancePatch::default()
            },
            message,
            None,
        );
    };
    let counters: [(&'static str, &'static str, CountField, u16); 4] = [
        (
            "walk_ins",
            text::WALK_INS,
            |c| &mut c.walk_ins,
            others.walk_ins,
        ),
        (
            "visitors",
            text::VISITORS,
            |c| &mut c.visitors,
            others.visitors,
        ),
        ("helpers", text::HELPERS, |c| &mut c.helpers, others.helpers),
        (
            "first_timers",
            text::FIRST_TIMERS,
            |c| &mut c.first_timers,
            others.first_timers,
        ),
    ];
    let total = move || {
        let ticked = present.with(Vec::len);
        let walk_ins = mine.with(|c| c.walk_ins).max(others.walk_ins);
        text::attendance_total(ticked, usize::from(walk_ins))
    };
    let save_note = move |_| {
        note_message.set(None);
        send(
            AttendancePatch {
                note: Some(note.get_untracked().trim().to_owned()),
                ..AttendancePatch::default()
            },
            note_message,
            Some(text::NOTE_SAVED.to_owned()),
        );
    };
    let new_name = RwSignal::new(String::new());
    let new_kana = RwSignal::new(String::new());
    // Said under the add button, where the eye is.
    let add_message = RwSignal::new(None::<Message>);
    let add_member = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        add_message.set(None);
        let name = new_name.get_untracked().trim().to_owned();
        if name.is_empty() {
            add_message.set(Some(Message::Problem(text::MEMBER_NAME_NEEDED.to_owned())));
            return;
        }
        let kana = new_kana.get_untracked().trim().to_owned();
        let name_added = name.clone();
        let patch = MemberPatch {
            salon_id: Some(salon),
            name: Some(name),
            kana: (!kana.is_empty()).then_some(kana),
            since: Some(date),
            ..MemberPatch::default()
        };
        leptos::task::spawn_local(async move {
            match sync
                .save_draft(Draft::new(Body::SalonMember(patch.clone())))
                .await
            {
                Ok(id) => {
                    members.update(|m| {
                        m.push(Member {
                            id,
                            member: patch,
                            base: None,
                        })
                    });
                    new_name.set(String::new());
                    new_kana.set(String::new());
                    tick(id);
                    add_message.set(Some(Message::Done(text::member_added(&name_added))));
                }
                Err(error) => add_message.set(Some(Message::Problem(error.message_ja()))),
            }
        });
    };
    let today = local_time::today();
    view! {
        <p class="setting-note">{format!("{} {}", item.name(), text::day_heading(held_on, today))}</p>
        <p class="attendance-total" role="status" aria-live="polite">{total}</p>
        <FormMessage message=message />
        {crate::widgets::dynamic(move || {
            let list = members.get();
            if list.is_empty() {
                return view! { <p class="empty-message">{text::NO_MEMBERS}</p> }.into_any();
            }
            let options = list
                .into_iter()
                .map(|m| Chip {
                    code: m.id.to_string(),
                    label: m.name(),
                    detail: m.member.kana.clone().unwrap_or_default(),
                })
                .collect();
            view! {
                <Chips legend=text::MEMBERS attribute="member" chosen=present options=options
                    class="member-ticks"
                    on_tap=Callback::new(move |(code, here): (String, bool)| {
                        if let Ok(member) = code.parse::<RecordId>() {
                            mark(member, here);
                        }
                    }) />
            }.into_any()
        })}
        <h3 class="section-title">{text::ADD_MEMBER_TITLE}</h3>
        <form class="form add-member" on:submit=add_member>
            <div class="button-row">
                <label class="field"><span class="field-label">{text::MEMBER_NAME}</span>
                    <input type="text" name="member_name" maxlength=limits::salon_member::MAX_NAME_CHARS.to_string() bind:value=new_name /></label>
                <label class="field"><span class="field-label">{text::MEMBER_KANA}</span>
                    <input type="text" name="member_kana" maxlength=limits::salon_member::MAX_NAME_CHARS.to_string() bind:value=new_kana /></label>
            </div>
            <button type="submit" class="button" data-action="add-member">{text::ADD_MEMBER}</button>
            <FormMessage message=add_message />
        </form>
        <TickCue cue=cue />
        <h3 class="section-title">{text::COUNTED_AT_DOOR}</h3>
        {counters.into_iter().map(|(code, label, field, theirs)| view! {
            <div class="counter" data-count=code>
                <span class="counter-label">{label}</span>
                <button type="button" class="button counter-button" aria-label=text::minus(label)
                    on:click=move |_| count(field, -1)>"−"</button>
                <span class="counter-value">{move || mine.with(|c| { let mut c = *c; *field(&mut c) })}</span>
                <button type="button" class="button counter-button" aria-label=text::plus(label)
                    on:click=move |_| count(field, 1)>"＋"</button>
                {(theirs > 0).then(|| view! { <span class="counter-others">{text::others_counted(theirs)}</span> })}
            </div>
        }).collect_view()}
        <label class="field"><span class="field-label">{text::ATTENDANCE_NOTE}</span>
            <textarea name="attendance_note" rows="3" maxlength=limits::attendance::MAX_NOTE_CHARS.to_string() bind:value=note></textarea>
        </label>
        <button type="button" class="button" data-action="save-attendance-note" on:click=save_note>{text::SAVE_NOTE}</button>
        <FormMessage message=note_message />
    }
}

/// How long a tick's 「保存しました」 stays.
const CUE_MS: u32 = 4000;

/// The line over the bottom bar saying a tick was saved (or was not: that one stays).
#[component]
fn TickCue(cue: RwSignal<Option<Message>>) -> impl IntoView {
    let timer = StoredValue::new_local(None::<gloo_timers::callback::Timeout>);
    Effect::new(move |_| {
        if matches!(cue.get(), Some(Message::Done(_))) {
            timer.set_value(Some(gloo_timers::callback::Timeout::new(
                CUE_MS,
                move || cue.set(None),
            )));
        }
    });
    view! {
        <div class="tick-cue-place" role="status" aria-live="polite">
            {move || cue.get().map(|said| match said {
                Message::Done(words) => view! { <p class="tick-cue" data-cue="saved">{words}</p> }.into_any(),
                Message::Problem(words) => view! { <p class="tick-cue alert" data-cue="failed">{words}</p> }.into_any(),
            })}
        </div>
    }
}
