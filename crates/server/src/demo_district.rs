//! A believable demo district: 乗附's residents, months of visits by its two volunteers
//! (mostly 元気, a few 気になる and one 要連絡), open follow-ups, residents paused and
//! ended, so that a newcomer who signs in sees a real list. Made through the same push the
//! phones use (validated, stamped, with its audience), by the demo accounts, from devices
//! made for it and revoked at once (nobody can sign in as them). Deterministic: the same
//! names and the same pattern of visits every time, relative to today.
//!
//! Fictional people; no phone numbers (an invented number is someone's real one), and the
//! district's numbers left for its SC to fill in: the newsletter prints none for 乗附.

use std::collections::BTreeSet;

use anyhow::Context as _;
use mimamori_core::account::Role;
use mimamori_core::calendar::CivilDate;
use mimamori_core::hlc::Hlc;
use mimamori_core::kinds::{
    district_info_id, Consent, DistrictInfoPatch, EmergencyContact, FollowUpPatch, Need, Outcome,
    ResidentPatch, ResidentStatus, VisitBody, VisitMethod, WarningSign, WatchStatus,
};
use mimamori_core::record::{Body, Change, DistrictId, RecordId};
use mimamori_core::sync::ItemResult;

use crate::accounts::new_device_token;
use crate::storage::{Storage, SyncCaller};

pub(crate) const DAY_MS: i64 = 86_400_000;
/// Japan's offset: the demo's visits happen in the daytime there.
const JST_MS: i64 = 9 * 3_600_000;

/// An emergency contact: name and 続柄.
type Contact = Option<(&'static str, &'static str)>;

/// (name, ふりがな, 町内, interval days, emergency contact).
const RESIDENTS: &[(&str, &str, &str, u16, Contact)] = &[
    (
        "青木 トミ",
        "あおき とみ",
        "乗附町 東",
        30,
        Some(("青木 健一", "長男")),
    ),
    ("荒井 正二", "あらい しょうじ", "乗附町 東", 14, None),
    (
        "飯塚 ハル",
        "いいづか はる",
        "乗附町 西",
        30,
        Some(("飯塚 美香", "長女")),
    ),
    ("石川 キヨ", "いしかわ きよ", "乗附町 西", 30, None),
    (
        "井上 清",
        "いのうえ きよし",
        "乗附町 南",
        30,
        Some(("井上 誠", "次男")),
    ),
    (
        "上原 フミ",
        "うえはら ふみ",
        "乗附町 南",
        7,
        Some(("上原 由美", "姪")),
    ),
    ("内田 茂", "うちだ しげる", "乗附町 北", 30, None),
    (
        "江原 ミツ",
        "えはら みつ",
        "乗附町 北",
        30,
        Some(("江原 孝", "長男")),
    ),
    ("大沢 勝", "おおさわ まさる", "乗附町 東", 30, None),
    (
        "小野 シズ",
        "おの しず",
        "乗附町 東",
        14,
        Some(("小野 恵子", "長女")),
    ),
    ("加藤 ヨシ", "かとう よし", "乗附町 西", 30, None),
    (
        "金井 武",
        "かない たけし",
        "乗附町 西",
        30,
        Some(("金井 聡", "長男")),
    ),
    ("木村 ウメ", "きむら うめ", "乗附町 南", 30, None),
    ("久保田 昭", "くぼた あきら", "乗附町 南", 30, None),
    (
        "小池 タケ",
        "こいけ たけ",
        "乗附町 北",
        14,
        Some(("小池 直子", "次女")),
    ),
    ("今野 義雄", "こんの よしお", "乗附町 北", 30, None),
    (
        "斎藤 チヨ",
        "さいとう ちよ",
        "乗附町 東",
        30,
        Some(("斎藤 浩", "甥")),
    ),
    ("清水 実", "しみず みのる", "乗附町 東", 30, None),
    ("関口 マサ", "せきぐち まさ", "乗附町 西", 30, None),
    (
        "高野 和夫",
        "たかの かずお",
        "乗附町 西",
        14,
        Some(("高野 真理", "長女")),
    ),
    ("竹内 スミ", "たけうち すみ", "乗附町 南", 30, None),
    ("田村 一郎", "たむら いちろう", "乗附町 南", 30, None),
    (
        "土屋 ナツ",
        "つちや なつ",
        "乗附町 北",
        30,
        Some(("土屋 洋子", "長女")),
    ),
    ("富岡 進", "とみおか すすむ", "乗附町 北", 30, None),
    (
        "中島 テル",
        "なかじま てる",
        "乗附町 東",
        7,
        Some(("中島 明", "長男")),
    ),
    ("新井 ヤス", "にい やす", "乗附町 東", 30, None),
    ("萩原 静子", "はぎわら しずこ", "乗附町 西", 30, None),
    (
        "原田 ツル",
        "はらだ つる",
        "乗附町 西",
        30,
        Some(("原田 修", "次男")),
    ),
    ("福田 幸男", "ふくだ ゆきお", "乗附町 南", 30, None),
    ("堀口 イネ", "ほりぐち いね", "乗附町 南", 14, None),
    (
        "松本 サダ",
        "まつもと さだ",
        "乗附町 北",
        30,
        Some(("松本 隆", "長男")),
    ),
    ("宮下 光男", "みやした みつお", "乗附町 北", 30, None),
    ("森田 キク", "もりた きく", "乗附町 東", 30, None),
    (
        "山口 はな",
        "やまぐち はな",
        "乗附町 西",
        30,
        Some(("山口 恵", "長女")),
    ),
];

/// Residents paused or ended, by index into `RESIDENTS`, with why.
const STOPPED: &[(usize, WatchStatus, &str)] = &[
    (13, WatchStatus::Paused, "入院（12月に退院の予定）"),
    (21, WatchStatus::Paused, "施設に短期入所"),
    (27, WatchStatus::Ended, "転居（娘さん宅へ）"),
];

/// Residents with no volunteer yet (the SC's desk lists them).
const UNASSIGNED: &[usize] = &[32, 33];

/// Residents whose visits stopped a while ago: 未訪問 on the list.
const FALLEN_BEHIND: &[(usize, i64)] = &[(4, 12), (9, 20), (16, 5), (24, 9)];

const FINE_NOTES: &[&str] = &[
    "お元気でした",
    "庭の手入れをされていた",
    "お孫さんが来ていて、にぎやかだった",
    "サロンに行くのを楽しみにしているとのこと",
    "",
    "玄関先で少しお話しした",
    "",
    "畑で採れた大根の話をしてくれた",
];

const AWAY_NOTES: &[&str] = &["不在。雨戸は開いていた", "不在。郵便受けはきれい", ""];

/// A small deterministic generator: the demo is the same every time.
pub(crate) struct Dice(pub u64);

impl Dice {
    pub(crate) fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub(crate) fn bytes(&mut self) -> [u8; 10] {
        let a = self.next().to_le_bytes();
        let b = self.next().to_le_bytes();
        [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1]]
    }
}

/// Who makes the demo's changes: an account and the device made for it.
pub(crate) struct Maker {
    pub(crate) caller: SyncCaller,
    /// The last stamp this device issued (stamps only go forward).
    last: Hlc,
}

impl Maker {
    pub(crate) fn change(
        &mut self,
        id: RecordId,
        at_ms: i64,
        base: Option<Hlc>,
        body: Body,
    ) -> Change {
        let wall = (at_ms as u64).max(self.last.wall_ms);
        let counter = if wall == self.last.wall_ms {
            self.last.counter + 1
        } else {
            0
        };
        self.last = Hlc {
            wall_ms: wall,
            counter,
            node: self.caller.device.0 as u64,
        };
        Change {
            id,
            district_id: self.caller.districts.first().copied(),
            author: self.caller.user,
            device: self.caller.device,
            stamp: self.last,
            base,
            deleted: false,
            body,
        }
    }
}

pub(crate) fn date_of(ms: i64) -> CivilDate {
    CivilDate::from_days_since_epoch((ms + JST_MS).div_euclid(DAY_MS))
}

/// The start (UTC ms) of a day in Japan, plus `hour` o'clock there.
pub(crate) fn at_hour(date: CivilDate, hour: i64, minute: i64) -> i64 {
    date.days_since_epoch() * DAY_MS - JST_MS + hour * 3_600_000 + minute * 60_000
}

pub(crate) async fn maker(
    storage: &dyn Storage,
    login: &str,
    district: DistrictId,
) -> anyhow::Result<Maker> {
    maker_in(storage, login, vec![district]).await
}

/// A new device of `login` making changes in `districts` (none: city-wide records).
pub(crate) async fn maker_in(
    storage: &dyn Storage,
    login: &str,
    districts: Vec<DistrictId>,
) -> anyhow::Result<Maker> {
    let user = storage
        .find_user_by_login(login)
        .await?
        .with_context(|| format!("demo account {login} missing"))?;
    let (_, hash) = new_device_token();
    let device = storage.create_device(user.id, "デモデータ", &hash).await?;
    Ok(Maker {
        caller: SyncCaller {
            user: user.id,
            device,
            role: user.role,
            districts,
        },
        last: Hlc::ZERO,
    })
}

pub(crate) async fn push(
    storage: &dyn Storage,
    maker: &Maker,
    changes: &[Change],
    now_ms: i64,
) -> anyhow::Result<()> {
    for batch in changes.chunks(500) {
        let results = storage.push(&maker.caller, batch, now_ms).await?;
        if let Some((change, refused)) = batch
            .iter()
            .zip(&results)
            .find(|(_, r)| !matches!(r, ItemResult::Accepted { .. }))
        {
            anyhow::bail!("demo change {} refused: {refused:?}", change.id);
        }
    }
    Ok(())
}

/// What the demo district holds that the demo salons refer to: its residents (id, name,
/// ふりがな), some of whom are salon members too.
pub(crate) type DemoResidents = Vec<(RecordId, &'static str, &'static str)>;

/// Loads the district's residents, visits, follow-ups and contacts as of `now_ms`. Returns
/// how many records were made, and the residents.
pub async fn load(
    storage: &dyn Storage,
    district: DistrictId,
    now_ms: i64,
) -> anyhow::Result<(usize, DemoResidents)> {
    let mut sc = maker(storage, "noritsuke.sc", district).await?;
    let mut volunteers = [
        maker(storage, "noritsuke.v1", district).await?,
        maker(storage, "noritsuke.v2", district).await?,
    ];
    debug_assert!(sc.caller.role == Role::Coordinator);
    let mut dice = Dice(0x6d69_6d61_6d6f_7269);
    let today = date_of(now_ms);
    let mut made = 0;

    // The SC registered everyone about half a year ago, with their consent.
    let registered = today.add_days(-180);
    let mut residents = Vec::new();
    let mut named: DemoResidents = Vec::new();
    let mut resident_changes = Vec::new();
    for (n, (name, kana, area, interval, contact)) in RESIDENTS.iter().enumerate() {
        let at = at_hour(registered.add_days(n as i64 % 20), 10, (n as i64 * 7) % 60);
        let id = RecordId::new_v7(at as u64, dice.bytes());
        let volunteer = (!UNASSIGNED.contains(&n)).then(|| volunteers[n % 2].caller.user);
        let status = STOPPED
            .iter()
            .find(|(i, _, _)| *i == n)
            .map(|(_, state, reason)| ResidentStatus {
                state: *state,
                reason: (*reason).to_owned(),
            });
        let patch = ResidentPatch {
            name: Some((*name).to_owned()),
            kana: Some((*kana).to_owned()),
            area: Some((*area).to_owned()),
            emergency_contact: contact.map(|(name, relation)| EmergencyContact {
                name: name.to_owned(),
                relation: relation.to_owned(),
                phone: String::new(),
            }),
            visit_interval_days: Some(*interval),
            assigned_volunteers: Some(volunteer.into_iter().collect()),
            consent: Some(Consent {
                date: date_of(at),
                scope: "見守り訪問と地区SCへの共有".to_owned(),
                share_with_center: n % 3 != 0,
                taken_by: sc.caller.user,
            }),
            status,
            ..ResidentPatch::default()
        };
        resident_changes.push(sc.change(id, at, None, Body::Resident(patch)));
        residents.push((id, volunteer, *interval, n));
        named.push((id, *name, *kana));
    }
    let info = DistrictInfoPatch {
        sc_name: Some("佐藤".to_owned()),
        ..DistrictInfoPatch::default()
    };
    let info_at = at_hour(registered, 9, 0);
    resident_changes.push(sc.change(
        district_info_id(district),
        info_at,
        None,
        Body::DistrictInfo(info),
    ));
    made += resident_changes.len();
    push(storage, &sc, &resident_changes, now_ms).await?;

    // Visits since, each volunteer to their own residents at about their interval.
    // (when, id, body) per volunteer, stamped in time order once all are made.
    let mut planned: [Vec<(i64, RecordId, Body)>; 2] = [Vec::new(), Vec::new()];
    let first_visits = today.add_days(-150);
    for (id, volunteer, interval, n) in &residents {
        let Some(volunteer) = volunteer else { continue };
        let who = usize::from(volunteers[1].caller.user == *volunteer);
        let stopped_at = STOPPED.iter().any(|(i, _, _)| i == n).then_some(40);
        let behind = FALLEN_BEHIND
            .iter()
            .find(|(i, _)| i == n)
            .map(|(_, late)| i64::from(*interval) + late);
        // The last visit this long ago (or sooner): overdue residents stopped earlier.
        let last_gap = behind
            .or(stopped_at)
            .unwrap_or(dice.below(u64::from(*interval).min(10)) as i64);
        let mut day = first_visits.add_days(dice.below(u64::from(*interval)) as i64);
        let last_day = today.add_days(-last_gap);
        let mut visit_index = 0;
        while day <= last_day {
            let at = at_hour(day, 9 + dice.below(7) as i64, dice.below(60) as i64);
            if at > now_ms - 3_600_000 {
                break;
            }
            let roll = dice.below(100);
            let recent = today.days_since_epoch() - day.days_since_epoch() <= 14;
            let (method, outcome, note) = match roll {
                0..=69 => (
                    VisitMethod::Met,
                    Outcome::Fine,
                    FINE_NOTES[dice.below(FINE_NOTES.len() as u64) as usize],
                ),
                70..=84 => (
                    VisitMethod::Absent,
                    Outcome::AwayNothingOdd,
                    AWAY_NOTES[dice.below(AWAY_NOTES.len() as u64) as usize],
                ),
                85..=92 => (
                    VisitMethod::Phone,
                    Outcome::Fine,
                    "電話で様子を聞いた。変わりなし",
                ),
                _ => (
                    VisitMethod::Met,
                    Outcome::Worrying,
                    "前より元気がなく、食事の量が減ったとのこと",
                ),
            };
            let mut visit = VisitBody {
                resident_id: *id,
                visited_at_ms: at,
                visitors: vec![*volunteer],
                method,
                outcome,
                signs: BTreeSet::new(),
                needs: BTreeSet::new(),
                actions: BTreeSet::new(),
                referred_resources: Vec::new(),
                resources_note: String::new(),
                follow_up: None,
                note: note.to_owned(),
            };
            if outcome == Outcome::Worrying {
                visit.signs.insert(WarningSign::LowEnergyOrThinner);
                visit.needs.insert(Need::Meals);
            }
            if n % 5 == 1 && visit_index % 2 == 0 {
                visit.needs.insert(Need::Shopping);
            }
            if n % 7 == 3 {
                visit.needs.insert(Need::Rubbish);
            }
            // A few moments the SC must hear about, lately.
            if recent && *n == 6 && visit_index % 3 == 0 {
                visit.outcome = Outcome::MustReport;
                visit.signs = [WarningSign::MailPilingUp, WarningSign::NotSeenForDays].into();
                visit.note = "新聞が3日分たまっていた。電話に出ない".to_owned();
            }
            if recent && *n == 11 {
                visit.outcome = Outcome::Worrying;
                visit.signs.insert(WarningSign::ConfusedOrRepeating);
                visit.note = "同じ話をくり返していた。ご家族に伝えたい".to_owned();
            }
            let visit_id = RecordId::new_v7(at as u64, dice.bytes());
            planned[who].push((at, visit_id, Body::Visit(visit.clone())));
            // Worrying visits of the last month leave something to do.
            if visit.outcome.needs_escalation()
                && today.days_since_epoch() - day.days_since_epoch() <= 30
            {
                let sc_user = sc.caller.user;
                let (what, owner, due_in) = if visit.outcome == Outcome::MustReport {
                    ("ご家族（長女）に連絡して様子を伝える", sc_user, 1)
                } else if visit.needs.contains(&Need::Meals) {
                    ("配食サービスのチラシを持っていく", *volunteer, 7)
                } else {
                    ("一週間後にもう一度寄る", *volunteer, 7)
                };
                let follow_up = FollowUpPatch {
                    resident_id: Some(*id),
                    visit_id: Some(visit_id),
                    what: Some(what.to_owned()),
                    due: Some(day.add_days(due_in)),
                    owner: Some(owner),
                    done: Some(false),
                    ..FollowUpPatch::default()
                };
                let follow_up_id = RecordId::new_v7(at as u64 + 1, dice.bytes());
                planned[who].push((at + 1, follow_up_id, Body::FollowUp(follow_up)));
            }
            visit_index += 1;
            let jitter = dice.below(7) as i64 - 3;
            day = day.add_days(i64::from(*interval) + jitter);
        }
    }
    // Whatever day the demo is loaded, each volunteer has something to do: one asked of
    // them at their latest visit when no worrying visit of the last month left anything.
    for (who, plan) in planned.iter_mut().enumerate() {
        if plan
            .iter()
            .any(|(_, _, body)| matches!(body, Body::FollowUp(_)))
        {
            continue;
        }
        let latest = plan
            .iter()
            .filter_map(|(at, id, body)| match body {
                Body::Visit(visit) => Some((*at, *id, visit.resident_id)),
                _ => None,
            })
            .max_by_key(|(at, _, _)| *at);
        let Some((at, visit_id, resident)) = latest else {
            continue;
        };
        let follow_up = FollowUpPatch {
            resident_id: Some(resident),
            visit_id: Some(visit_id),
            what: Some("電球の交換を頼まれた。次の訪問で持っていく".to_owned()),
            due: Some(date_of(at).add_days(7)),
            owner: Some(volunteers[who].caller.user),
            done: Some(false),
            ..FollowUpPatch::default()
        };
        let id = RecordId::new_v7(at as u64 + 1, dice.bytes());
        plan.push((at + 1, id, Body::FollowUp(follow_up)));
    }
    for (who, mut plan) in planned.into_iter().enumerate() {
        plan.sort_by_key(|(at, _, _)| *at);
        let maker = &mut volunteers[who];
        let changes: Vec<Change> = plan
            .into_iter()
            .map(|(at, id, body)| maker.change(id, at, None, body))
            .collect();
        made += changes.len();
        push(storage, maker, &changes, now_ms).await?;
    }
    // The demo's devices can never sign in (their tokens were never kept); revoked, they
    // say so in the SC's device list too.
    for maker in std::iter::once(&sc).chain(volunteers.iter()) {
        storage.revoke_device(maker.caller.device).await?;
    }
    Ok((made, named))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Accounts as _, SqliteStorage, SyncStore as _};
    use mimamori_core::kinds::State;

    #[tokio::test]
    async fn the_demo_district_is_accepted_whole_and_has_work_for_everyone() {
        let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
        crate::demo::load(&storage, true).await.unwrap();
        let v1 = storage
            .find_user_by_login("noritsuke.v1")
            .await
            .unwrap()
            .unwrap();
        let district = v1.districts[0];
        let (_, hash) = new_device_token();
        let device = storage.create_device(v1.id, "test", &hash).await.unwrap();
        let caller = SyncCaller {
            user: v1.id,
            device,
            role: v1.role,
            districts: vec![district],
        };
        let page = storage.pull(&caller, 0, 5000).await.unwrap();
        let mut residents = 0;
        let mut visits = 0;
        let mut open_follow_ups = 0;
        for record in &page.records {
            let Some(state) = &record.state else { continue };
            match State::from_json(record.kind, state.clone()).unwrap() {
                State::Resident(_) => residents += 1,
                State::Visit(change) => {
                    visits += 1;
                    // Saved when made: nothing in the demo reads as corrected later.
                    let made_ms = change.id.as_uuid().get_timestamp().unwrap().to_unix().0 * 1000;
                    assert!(change.stamp.wall_ms < made_ms + 60_000, "{change:?}");
                }
                State::FollowUp(f) => {
                    if f.current::<FollowUpPatch>().and_then(|p| p.done) == Some(false) {
                        open_follow_ups += 1;
                    }
                }
                State::DistrictInfo(_)
                | State::Salon(_)
                | State::SalonMember(_)
                | State::Attendance(_)
                | State::Resource(_) => {}
            }
        }
        assert!(residents >= 14, "{residents} residents for one volunteer");
        assert!(visits >= 60, "{visits} visits");
        assert!(open_follow_ups >= 1, "no follow-up to do");
    }
}
