//! Demo salons, so that a newcomer's 今週・来週 list, attendance and figures are full:
//!
//! - the places the newsletter names, in their districts (居場所「八起き」 in 八幡, お宅カフェ
//!   「よってって」 in 南八幡, the 地区公民館カフェ of 新高尾・中川, 井野さんぽ along the 井野川 in
//!   塚沢・浜尻, the 花畑 of 岩鼻), with believable rules, made by a coordinator account of
//!   each district that nobody can sign in as (its password was never kept);
//! - two salons of 乗附, the demo accounts' district: a weekly one run by 鈴木 and a monthly
//!   茶話会 run by 田中, with members (some of them 見守り residents, linked by the SC) and
//!   three months of attendance, a cancelled date behind and ahead, and two members whose
//!   absences the SC's desk suggests a visit for.
//!
//! Made through the same push the phones use, deterministic, relative to today.

use mimamori_core::account::Role;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{attendance_id, AttendancePatch, Content, MemberPatch, SalonPatch};
use mimamori_core::record::{Body, Change, DistrictId, RecordId};
use mimamori_core::salons::{Counts, Exception, Holidays, Repeat, Schedule, TimeOfDay};

use crate::admin::{self, UserSpec};
use crate::demo_district::{at_hour, date_of, maker, push, DemoResidents, Dice, Maker};
use crate::storage::Storage;

fn time(hour: u8, minute: u8) -> TimeOfDay {
    TimeOfDay { hour, minute }
}

fn schedule(repeat: Repeat, weekdays: &[u8], weeks: &[u8], from: CivilDate) -> Schedule {
    Schedule {
        repeat,
        weekdays: weekdays.to_vec(),
        weeks: weeks.to_vec(),
        dates: Vec::new(),
        from,
        until: None,
        start: time(10, 0),
        end: time(12, 0),
        skip_holidays: true,
    }
}

/// A salon of the newsletter: (district, coordinator's login, name, ふりがな, venue, contents,
/// the rule, its times, a note).
struct Named {
    district: &'static str,
    login: &'static str,
    name: &'static str,
    kana: &'static str,
    venue: &'static str,
    contents: &'static [Content],
    repeat: Repeat,
    weekdays: &'static [u8],
    weeks: &'static [u8],
    hours: ((u8, u8), (u8, u8)),
    note: &'static str,
}

const NAMED: &[Named] = &[
    Named {
        district: "八幡",
        login: "hachiman.sc",
        name: "居場所「八起き」",
        kana: "いばしょ やおき",
        venue: "八幡地区の集会所",
        contents: &[Content::Tea, Content::Hobby],
        repeat: Repeat::NthWeekday,
        weekdays: &[3],
        weeks: &[1, 3],
        hours: ((13, 30), (15, 30)),
        note: "地域支え合いサポーターが運営しています。",
    },
    Named {
        district: "南八幡",
        login: "minamihachiman.sc",
        name: "お宅カフェ「よってって」",
        kana: "おたくかふぇ よってって",
        venue: "会員のお宅",
        contents: &[Content::Tea],
        repeat: Repeat::NthWeekday,
        weekdays: &[5],
        weeks: &[2],
        hours: ((10, 0), (12, 0)),
        note: "おとしよりぐるりんタクシーで来る方もいます。",
    },
    Named {
        district: "新高尾・中川",
        login: "shintakao.sc",
        name: "地区公民館カフェ",
        kana: "ちくこうみんかんかふぇ",
        venue: "地区の公民館",
        contents: &[Content::Tea, Content::Generations],
        repeat: Repeat::LastWeekday,
        weekdays: &[6],
        weeks: &[],
        hours: ((10, 0), (12, 0)),
        note: "",
    },
    Named {
        district: "塚沢・浜尻",
        login: "tsukazawa.sc",
        name: "井野さんぽ",
        kana: "いのさんぽ",
        venue: "井野川沿い",
        contents: &[Content::Exercise],
        repeat: Repeat::Weekly,
        weekdays: &[4],
        weeks: &[],
        hours: ((9, 0), (10, 0)),
        note: "井野川沿いを1時間歩きます。動きやすい服で。雨の日は中止。",
    },
    Named {
        district: "岩鼻",
        login: "iwahana.sc",
        name: "花畑の居場所",
        kana: "はなばたけのいばしょ",
        venue: "地区の花畑",
        contents: &[Content::Hobby, Content::Generations],
        repeat: Repeat::EveryOtherWeek,
        weekdays: &[6],
        weeks: &[],
        hours: ((9, 30), (11, 30)),
        note: "花の手入れをしながらおしゃべり。",
    },
];

/// 乗附's members not linked to a 見守り resident (fictional). The last is one, 竹内 スミ,
/// written as the organiser heard it: the SC has not linked her yet, and the desk offers
/// her by name when her absences come up.
const MEMBERS: &[(&str, &str)] = &[
    ("小川 静子", "おがわ しずこ"),
    ("金子 文江", "かねこ ふみえ"),
    ("木村 和夫", "きむら かずお"),
    ("清水 君子", "しみず きみこ"),
    ("関口 政雄", "せきぐち まさお"),
    ("高田 千代", "たかだ ちよ"),
    ("土屋 光子", "つちや みつこ"),
    ("中島 茂", "なかじま しげる"),
    ("原 サチ子", "はら さちこ"),
    ("竹内 すみ", "たけうち すみ"),
];

/// The newsletter's salons as made: name, record id, district.
pub type NamedSalons = Vec<(&'static str, RecordId, DistrictId)>;

/// Loads the demo salons as of `now_ms`: 乗附's (`noritsuke`, with `residents` to link
/// members to) and the newsletter's. Returns how many records were made, and the
/// newsletter's salons (the directory links its entries to them).
pub async fn load(
    storage: &dyn Storage,
    noritsuke: DistrictId,
    residents: &DemoResidents,
    now_ms: i64,
) -> anyhow::Result<(usize, NamedSalons)> {
    let mut dice = Dice(0x7361_6c6f_6e73_2121);
    let today = date_of(now_ms);
    let mut made = 0;
    let mut named_salons = Vec::new();

    // The newsletter's salons, each by its district's coordinator.
    let districts = storage.list_districts().await?;
    for named in NAMED {
        let Some(district) = districts.iter().find(|d| d.name == named.district) else {
            continue;
        };
        let districts = [named.district.to_owned()];
        let spec = UserSpec {
            login_id: named.login,
            display_name: &format!("{} SC", named.district),
            role: Role::Coordinator,
            districts: &districts,
        };
        // No password kept: nobody signs in as them.
        admin::create_user(storage, spec, None).await?;
        let mut sc = maker(storage, named.login, DistrictId(district.id)).await?;
        let from = today.add_days(-200);
        let mut rule = schedule(named.repeat, named.weekdays, named.weeks, from);
        (rule.start, rule.end) = (
            time(named.hours.0 .0, named.hours.0 .1),
            time(named.hours.1 .0, named.hours.1 .1),
        );
        let salon = SalonPatch {
            name: Some(named.name.to_owned()),
            kana: Some(named.kana.to_owned()),
            venue: Some(named.venue.to_owned()),
            contents: Some(named.contents.to_vec()),
            schedule: Some(rule),
            fee: Some("無料".to_owned()),
            note: (!named.note.is_empty()).then(|| named.note.to_owned()),
            ..SalonPatch::default()
        };
        let at = at_hour(from.add_days(-7), 10, 0);
        let id = RecordId::new_v7(at as u64, dice.bytes());
        named_salons.push((named.name, id, DistrictId(district.id)));
        let change = sc.change(id, at, None, Body::Salon(salon));
        push(storage, &sc, &[change], now_ms).await?;
        storage.revoke_device(sc.caller.device).await?;
        made += 1;
    }

    // 乗附's two salons, their members and their attendance.
    let mut sc = maker(storage, "noritsuke.sc", noritsuke).await?;
    let mut organisers = [
        maker(storage, "noritsuke.v1", noritsuke).await?,
        maker(storage, "noritsuke.v2", noritsuke).await?,
    ];
    let from = today.add_days(-100);
    let made_at = at_hour(from.add_days(-10), 9, 0);
    let weekly_id = RecordId::new_v7(made_at as u64, dice.bytes());
    let monthly_id = RecordId::new_v7(made_at as u64 + 1, dice.bytes());
    // A date cancelled behind (the hall was taken) and one ahead; one moved ahead.
    let holidays = Holidays::default();
    let weekly_rule = Schedule {
        start: time(10, 0),
        end: time(11, 30),
        ..schedule(Repeat::Weekly, &[2], &[], from)
    };
    let weekly_dates = weekly_rule.dates_between(from, today.add_days(40));
    let past: Vec<CivilDate> = weekly_dates
        .iter()
        .copied()
        .filter(|d| *d < today)
        .collect();
    let ahead: Vec<CivilDate> = weekly_dates
        .iter()
        .copied()
        .filter(|d| *d > today)
        .collect();
    let mut exceptions = std::collections::BTreeMap::new();
    if let Some(date) = past.get(past.len().saturating_sub(6)) {
        exceptions.insert(
            *date,
            Some(Exception {
                cancelled: true,
                reason: "会場の都合".to_owned(),
                ..Exception::default()
            }),
        );
    }
    if let Some(date) = ahead.get(1) {
        exceptions.insert(
            *date,
            Some(Exception {
                cancelled: true,
                reason: "会場の都合".to_owned(),
                ..Exception::default()
            }),
        );
    }
    if let Some(date) = ahead.get(3) {
        exceptions.insert(
            *date,
            Some(Exception {
                start: Some(time(13, 30)),
                end: Some(time(15, 0)),
                venue: Some("乗附町公民館 2階和室".to_owned()),
                reason: "地区の行事のため".to_owned(),
                ..Exception::default()
            }),
        );
    }
    let weekly = SalonPatch {
        name: Some("乗附いきいきサロン".to_owned()),
        kana: Some("のりつけいきいきさろん".to_owned()),
        venue: Some("乗附町公民館".to_owned()),
        contents: Some(vec![Content::Exercise, Content::Tea]),
        schedule: Some(weekly_rule.clone()),
        fee: Some("100円".to_owned()),
        capacity: Some(30),
        apply_first: Some(false),
        contact_name: Some("代表 鈴木".to_owned()),
        organisers: Some([organisers[0].caller.user].into_iter().collect()),
        note: Some("いす体操のあと、お茶を飲みながらおしゃべり。持ち物: 飲み物、タオル".to_owned()),
        absence_alert: Some(3),
        exceptions,
        ..SalonPatch::default()
    };
    let monthly_rule = Schedule {
        start: time(13, 30),
        end: time(15, 30),
        ..schedule(Repeat::NthWeekday, &[4], &[2], from)
    };
    let monthly = SalonPatch {
        name: Some("ふれあい茶話会".to_owned()),
        kana: Some("ふれあいさわかい".to_owned()),
        venue: Some("乗附町 西集会所".to_owned()),
        contents: Some(vec![Content::Tea, Content::DementiaPrevention]),
        schedule: Some(monthly_rule.clone()),
        fee: Some("無料".to_owned()),
        capacity: Some(20),
        apply_first: Some(true),
        contact_name: Some("代表 田中".to_owned()),
        organisers: Some([organisers[1].caller.user].into_iter().collect()),
        ..SalonPatch::default()
    };
    let mut changes = vec![
        sc.change(weekly_id, made_at, None, Body::Salon(weekly.clone())),
        sc.change(monthly_id, made_at + 1, None, Body::Salon(monthly.clone())),
    ];
    // Members: four 見守り residents (linked by the SC) and the others.
    let mut weekly_members = Vec::new();
    let mut monthly_members = Vec::new();
    let linked = residents
        .iter()
        .take(4)
        .map(|(id, name, kana)| (Some(*id), *name, *kana));
    let others = MEMBERS.iter().map(|(name, kana)| (None, *name, *kana));
    for (n, (resident, name, kana)) in linked.chain(others).enumerate() {
        let at = made_at + 60_000 * (n as i64 + 1);
        for (salon, list, wanted) in [
            (weekly_id, &mut weekly_members, true),
            (monthly_id, &mut monthly_members, n % 2 == 0),
        ] {
            if !wanted {
                continue;
            }
            let id = RecordId::new_v7(at as u64, dice.bytes());
            let member = MemberPatch {
                salon_id: Some(salon),
                name: Some(name.to_owned()),
                kana: Some(kana.to_owned()),
                since: Some(from),
                resident_id: resident,
                ..MemberPatch::default()
            };
            changes.push(sc.change(id, at, None, Body::SalonMember(member)));
            list.push(id);
        }
    }
    made += changes.len();
    push(storage, &sc, &changes, now_ms).await?;

    // Attendance at each past session, taken by its organiser at the door. The first
    // resident member and the last other member have stopped coming lately.
    let stopped = [
        weekly_members[0],
        *weekly_members.last().unwrap_or(&weekly_members[0]),
    ];
    for (who, salon_id, salon, members) in [
        (0, weekly_id, &weekly, &weekly_members),
        (1, monthly_id, &monthly, &monthly_members),
    ] {
        let organiser: &mut Maker = &mut organisers[who];
        let rule = salon.schedule.clone().expect("a rule");
        let sessions = mimamori_core::salons::sessions(
            &rule,
            &salon.exceptions_in_force(),
            &|d| holidays.name(d),
            from,
            today.add_days(-1),
        );
        let held: Vec<_> = sessions.into_iter().filter(|s| s.takes_place()).collect();
        let mut changes: Vec<Change> = Vec::new();
        for (index, session) in held.iter().enumerate() {
            let recent = index + 3 >= held.len();
            let present = members
                .iter()
                .map(|m| {
                    let away = (recent && stopped.contains(m)) || dice.below(100) < 20;
                    (*m, !away)
                })
                .filter(|(_, here)| *here)
                .collect();
            let counts = Counts {
                walk_ins: dice.below(4) as u16,
                visitors: u16::from(dice.below(5) == 0),
                helpers: 2 + dice.below(2) as u16,
                first_timers: u16::from(dice.below(4) == 0),
            };
            let taken = AttendancePatch {
                salon_id: Some(salon_id),
                date: Some(session.scheduled),
                present,
                counts: [(organiser.caller.user, counts)].into_iter().collect(),
                note: (index % 5 == 0).then(|| "みなさんお元気でした".to_owned()),
                ..AttendancePatch::default()
            };
            let at = at_hour(session.date, i64::from(session.end.hour), 10);
            changes.push(organiser.change(
                attendance_id(salon_id, session.scheduled),
                at,
                None,
                Body::Attendance(taken),
            ));
        }
        made += changes.len();
        push(storage, organiser, &changes, now_ms).await?;
    }
    for maker in std::iter::once(&sc).chain(organisers.iter()) {
        storage.revoke_device(maker.caller.device).await?;
    }
    Ok((made, named_salons))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use mimamori_core::kinds::State;
    use mimamori_core::record::{Body, RecordId, RecordKind};
    use mimamori_core::salons::{absentees, month_figures, MemberSince, Taken};

    use crate::accounts::new_device_token;
    use crate::storage::{Accounts as _, SqliteStorage, SyncCaller, SyncStore as _};

    async fn pulled_as(storage: &SqliteStorage, login: &str) -> Vec<(RecordId, Body)> {
        let user = storage.find_user_by_login(login).await.unwrap().unwrap();
        let (_, hash) = new_device_token();
        let device = storage.create_device(user.id, "test", &hash).await.unwrap();
        let caller = SyncCaller {
            user: user.id,
            device,
            role: user.role,
            districts: user.districts.clone(),
        };
        let page = storage.pull(&caller, 0, 10_000).await.unwrap();
        page.records
            .into_iter()
            .filter_map(|r| {
                let state = State::from_json(r.kind, r.state?).ok()?;
                Some((r.id, state.current()?))
            })
            .collect()
    }

    fn count(records: &[(RecordId, Body)], kind: RecordKind) -> usize {
        records.iter().filter(|(_, b)| b.kind() == kind).count()
    }

    #[tokio::test]
    async fn the_demo_fills_the_week_the_figures_and_the_desk() {
        let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
        crate::demo::load(&storage, true).await.unwrap();
        let sc = pulled_as(&storage, "noritsuke.sc").await;
        let salons = 2 + super::NAMED.len();
        assert_eq!(count(&sc, RecordKind::Salon), salons, "every salon");
        assert!(count(&sc, RecordKind::SalonMember) >= 14);
        assert!(count(&sc, RecordKind::Attendance) >= 14);
        // Another district's SC sees the salons, not their members.
        let kataoka = pulled_as(&storage, "kataoka.sc").await;
        assert_eq!(count(&kataoka, RecordKind::Salon), salons);
        assert_eq!(count(&kataoka, RecordKind::SalonMember), 0);
        assert_eq!(count(&kataoka, RecordKind::Attendance), 0);

        let mut taken: BTreeMap<RecordId, Vec<Taken>> = BTreeMap::new();
        let mut members: BTreeMap<RecordId, Vec<MemberSince>> = BTreeMap::new();
        let mut linked = 0;
        for (id, body) in &sc {
            match body {
                Body::Attendance(a) => {
                    taken
                        .entry(a.salon_id.unwrap())
                        .or_default()
                        .push(a.taken().unwrap());
                }
                Body::SalonMember(m) => {
                    linked += usize::from(m.resident_id.is_some());
                    members
                        .entry(m.salon_id.unwrap())
                        .or_default()
                        .push(MemberSince {
                            member: *id,
                            since: m.since.unwrap(),
                            checked_through: None,
                        });
                }
                _ => {}
            }
        }
        assert!(linked >= 4, "members who are 見守り residents");
        // The weekly salon: its last month has figures, and two members' absences reach
        // the desk.
        let (weekly, sessions) = taken.iter().max_by_key(|(_, t)| t.len()).unwrap();
        assert!(sessions.len() >= 10, "{} sessions", sessions.len());
        let last = sessions.iter().map(|t| t.date).max().unwrap();
        let figures = month_figures(sessions, last.year, last.month);
        assert!(figures.attendances > 0 && figures.people <= figures.attendances);
        let absent = absentees(&members[weekly], sessions, 3);
        assert_eq!(absent.len(), 2, "{absent:?}");
    }
}
