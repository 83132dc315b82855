//! The demo directory (社会資源まとめ), drawn from the newsletter's places and services, so
//! that a newcomer can search it, show an entry and hand it on:
//!
//! - city-wide entries, kept by the city's account (おとしよりぐるりんタクシー, シルバー人材
//!   センター, あんしんセンター, 長寿社会課 with the number the newsletter prints…);
//! - districts' entries, each by its district's coordinator (とくし丸 and the 買い物支援
//!   ボランティア of 新町, たのも〜お助け隊 of 城東・東部, 地域支え合いサポーター of 八幡, and
//!   the newsletter's salons, linked to their salon records);
//! - in 乗附, an entry for volunteers only (内部) and one nobody has checked for over a year.
//!
//! No phone number is invented for a real organisation: only 長寿社会課's, which the
//! newsletter prints, is given. Made through the same push the phones use, relative to today.

use mimamori_core::account::Role;
use mimamori_core::kinds::{Category, ResourcePatch};
use mimamori_core::record::{Body, DistrictId, RecordId};

use crate::admin::{self, UserSpec};
use crate::demo_district::{at_hour, date_of, maker_in, push, Dice};
use crate::demo_salons::NamedSalons;
use crate::storage::Storage;

/// One entry: (district, or none for city-wide; name; reading; categories; who runs it;
/// when; for whom; fee; apply first; phone; description; days since last checked; public).
struct Entry {
    district: Option<&'static str>,
    name: &'static str,
    kana: &'static str,
    categories: &'static [Category],
    operator: &'static str,
    when: &'static str,
    audience: &'static str,
    fee: &'static str,
    apply_first: bool,
    phone: &'static str,
    description: &'static str,
    checked_days_ago: i64,
    public: bool,
}

const ENTRIES: &[Entry] = &[
    Entry {
        district: None,
        name: "おとしよりぐるりんタクシー",
        kana: "おとしよりぐるりんたくしー",
        categories: &[Category::Transport],
        operator: "高崎市",
        when: "",
        audience: "市内の高齢者（条件あり）",
        fee: "",
        apply_first: true,
        phone: "",
        description: "通院や買い物に出かける高齢者のためのタクシー。使える方の条件と申込みは市の窓口で確かめてください。",
        checked_days_ago: 40,
        public: true,
    },
    Entry {
        district: None,
        name: "シルバー人材センター",
        kana: "しるばーじんざいせんたー",
        categories: &[Category::Participation, Category::Housework],
        operator: "公益社団法人",
        when: "",
        audience: "働きたい高齢の方／仕事を頼みたい方",
        fee: "仕事により有料",
        apply_first: true,
        phone: "",
        description: "植木の手入れ、草取り、ふすま張りなどを頼めます。働く側として登録もできます。見守りで聞いた困りごとをつなぐ先のひとつ。",
        checked_days_ago: 120,
        public: true,
    },
    Entry {
        district: None,
        name: "あんしんセンター（地域包括支援センター）",
        kana: "あんしんせんたー ちいきほうかつしえんせんたー",
        categories: &[Category::Consultation, Category::Care],
        operator: "高崎市（委託）",
        when: "平日 8時30分〜17時15分",
        audience: "高齢者と家族",
        fee: "無料",
        apply_first: false,
        phone: "",
        description: "介護・健康・認知症の相談窓口。地区ごとに担当のセンターがあります。番号は地区の連絡先（地区のようす）を見てください。",
        checked_days_ago: 30,
        public: true,
    },
    Entry {
        district: None,
        name: "長寿社会課（第1層生活支援コーディネーター）",
        kana: "ちょうじゅしゃかいか",
        categories: &[Category::Consultation],
        operator: "高崎市",
        when: "平日",
        audience: "どなたでも",
        fee: "無料",
        apply_first: false,
        phone: "027-321-1319",
        description: "生活支援体制整備事業の窓口。他の地区の活動を見学したい、助け合い活動を立ち上げたいときに。",
        checked_days_ago: 10,
        public: true,
    },
    Entry {
        district: None,
        name: "消費生活センター",
        kana: "しょうひせいかつせんたー",
        categories: &[Category::Consultation],
        operator: "高崎市",
        when: "平日",
        audience: "どなたでも",
        fee: "無料",
        apply_first: false,
        phone: "",
        description: "お金・契約・詐欺の相談。あやしい電話や訪問販売の話を聞いたら、ここにつなぎます。",
        checked_days_ago: 200,
        public: true,
    },
    Entry {
        district: Some("新町"),
        name: "とくし丸",
        kana: "とくしまる",
        categories: &[Category::Shopping],
        operator: "移動スーパー",
        when: "決まった曜日に地区を回ります",
        audience: "どなたでも",
        fee: "商品代",
        apply_first: false,
        phone: "",
        description: "食料品や日用品を積んだ移動販売の車が、家の近くまで来ます。新町地区で買い物支援として広げています。",
        checked_days_ago: 60,
        public: true,
    },
    Entry {
        district: Some("新町"),
        name: "新町の買い物支援ボランティア",
        kana: "しんまちのかいものしえんぼらんてぃあ",
        categories: &[Category::Shopping, Category::Participation],
        operator: "新町地区 第2層協議体",
        when: "",
        audience: "買い物に行きにくい方",
        fee: "",
        apply_first: true,
        phone: "",
        description: "買い物の付き添いや代行をするボランティア。ほかの地区からの見学も受けています。",
        checked_days_ago: 90,
        public: true,
    },
    Entry {
        district: Some("城東・東部"),
        name: "たのも〜お助け隊",
        kana: "たのもーおたすけたい",
        categories: &[Category::Housework],
        operator: "城東・東部地区 第2層協議体",
        when: "",
        audience: "地区にお住まいの方",
        fee: "謝礼あり（有償ボランティア）",
        apply_first: true,
        phone: "",
        description: "電球や電池の交換、草取り、ごみ出しなど、ちょっとした困りごとをお手伝いします。できない依頼はお断りすることもあります。",
        checked_days_ago: 150,
        public: true,
    },
    Entry {
        district: Some("八幡"),
        name: "地域支え合いサポーター",
        kana: "ちいきささえあいさぽーたー",
        categories: &[Category::Housework, Category::Watching],
        operator: "八幡地区 第2層協議体",
        when: "",
        audience: "地区にお住まいの方",
        fee: "",
        apply_first: true,
        phone: "",
        description: "自治会ごとに約150名のサポーターが、身の回りのちょっとした困りごとの解決と見守りに取り組んでいます。",
        checked_days_ago: 100,
        public: true,
    },
    Entry {
        district: Some("乗附"),
        name: "乗附 見守り協力店",
        kana: "のりつけ みまもりきょうりょくてん",
        categories: &[Category::Watching],
        operator: "乗附地区 第2層協議体",
        when: "",
        audience: "協議体の住民メンバー",
        fee: "",
        apply_first: false,
        phone: "",
        description: "いつもの買い物で様子の変わった方に気づいたら、協議体に知らせてくれるお店の一覧（協議体の内部用）。",
        checked_days_ago: 20,
        public: false,
    },
    Entry {
        district: Some("乗附"),
        name: "乗附 社会資源マップ",
        kana: "のりつけ しゃかいしげんまっぷ",
        categories: &[Category::Participation],
        operator: "乗附地区 第2層協議体",
        when: "",
        audience: "どなたでも",
        fee: "無料",
        apply_first: false,
        phone: "",
        description: "アンケートをもとに地区の社会資源を地図にまとめたもの。公民館で見られます。",
        checked_days_ago: 420,
        public: true,
    },
];

/// The newsletter's salons as entries of their districts (linked to the salon records).
const SALON_ENTRIES: &[(&str, &str, &str)] = &[
    (
        "居場所「八起き」",
        "いばしょ やおき",
        "地域支え合いサポーターが運営する居場所。お茶を飲みながら気軽に話せます。",
    ),
    (
        "お宅カフェ「よってって」",
        "おたくかふぇ よってって",
        "会員のお宅を開いた小さなカフェ。負担のない居場所づくりの例です。",
    ),
    (
        "井野さんぽ",
        "いのさんぽ",
        "井野川沿いを1時間ほどみんなで歩きます。",
    ),
];

/// A coordinator of `district` for the demo: the demo team's own SC where there is one (a
/// second SC in 乗附 would be offered twice wherever a follow-up's owner is chosen), else
/// one made for it (no password kept: nobody signs in as them), or the one made before.
async fn coordinator_of(storage: &dyn Storage, district: &str) -> anyhow::Result<String> {
    if let Some(login) = crate::demo::signed_in_coordinator_of(district) {
        return Ok(login.to_owned());
    }
    let login = format!("demo.sc.{}", district_login(district));
    if storage.find_user_by_login(&login).await?.is_none() {
        let districts = [district.to_owned()];
        let spec = UserSpec {
            login_id: &login,
            display_name: &format!("{district} SC"),
            role: Role::Coordinator,
            districts: &districts,
        };
        admin::create_user(storage, spec, None).await?;
    }
    Ok(login)
}

/// An ASCII name for a district's demo account.
fn district_login(district: &str) -> &'static str {
    match district {
        "新町" => "shinmachi",
        "城東・東部" => "joto",
        "八幡" => "yawata",
        "南八幡" => "minamiyawata",
        "塚沢・浜尻" => "tsukazawa",
        _ => "other",
    }
}

/// Loads the demo directory as of `now_ms`; `salons` are the newsletter's salons made
/// before. Returns how many entries were made.
pub async fn load(
    storage: &dyn Storage,
    salons: &NamedSalons,
    now_ms: i64,
) -> anyhow::Result<usize> {
    let mut dice = Dice(0x7265_736f_7572_6365);
    let today = date_of(now_ms);
    let districts = storage.list_districts().await?;
    let district_id = |name: &str| {
        districts
            .iter()
            .find(|d| d.name == name)
            .map(|d| DistrictId(d.id))
    };
    let mut made = 0;
    let made_at = at_hour(today.add_days(-150), 9, 0);
    for (n, entry) in ENTRIES.iter().enumerate() {
        let (login, district) = match entry.district {
            None => ("city".to_owned(), None),
            Some(name) => {
                let Some(id) = district_id(name) else {
                    continue;
                };
                (coordinator_of(storage, name).await?, Some(id))
            }
        };
        let mut maker = maker_in(storage, &login, district.into_iter().collect()).await?;
        let text = |value: &str| (!value.is_empty()).then(|| value.to_owned());
        let body = ResourcePatch {
            name: Some(entry.name.to_owned()),
            kana: Some(entry.kana.to_owned()),
            categories: Some(entry.categories.to_vec()),
            operator: text(entry.operator),
            when: text(entry.when),
            audience: text(entry.audience),
            fee: text(entry.fee),
            apply_first: Some(entry.apply_first),
            phone: text(entry.phone),
            description: text(entry.description),
            checked_on: Some(today.add_days(-entry.checked_days_ago)),
            public: Some(entry.public),
            ..ResourcePatch::default()
        };
        let at = made_at + n as i64 * 60_000;
        let change = maker.change(
            RecordId::new_v7(at as u64, dice.bytes()),
            at,
            None,
            Body::Resource(body),
        );
        push(storage, &maker, &[change], now_ms).await?;
        storage.revoke_device(maker.caller.device).await?;
        made += 1;
    }
    for (n, (name, kana, description)) in SALON_ENTRIES.iter().enumerate() {
        let Some((_, salon, district)) = salons.iter().find(|(named, ..)| named == name) else {
            continue;
        };
        let district_name = districts
            .iter()
            .find(|d| DistrictId(d.id) == *district)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let login = coordinator_of(storage, &district_name).await?;
        let mut maker = maker_in(storage, &login, vec![*district]).await?;
        let body = ResourcePatch {
            name: Some((*name).to_owned()),
            kana: Some((*kana).to_owned()),
            categories: Some(vec![Category::Gathering]),
            operator: Some(format!("{district_name}地区 第2層協議体")),
            salon_id: Some(Some(*salon)),
            audience: Some("どなたでも".to_owned()),
            fee: Some("無料".to_owned()),
            apply_first: Some(false),
            description: Some((*description).to_owned()),
            checked_on: Some(today.add_days(-(30 + n as i64 * 20))),
            public: Some(true),
            ..ResourcePatch::default()
        };
        let at = made_at + (ENTRIES.len() + n) as i64 * 60_000;
        let change = maker.change(
            RecordId::new_v7(at as u64, dice.bytes()),
            at,
            None,
            Body::Resource(body),
        );
        push(storage, &maker, &[change], now_ms).await?;
        storage.revoke_device(maker.caller.device).await?;
        made += 1;
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use mimamori_core::kinds::{ResourcePatch, State};
    use mimamori_core::record::{Body, RecordKind};

    use crate::accounts::new_device_token;
    use crate::storage::{Accounts as _, SqliteStorage, SyncCaller, SyncStore as _};

    async fn entries_for(
        storage: &SqliteStorage,
        login: &str,
    ) -> Vec<(Option<i64>, ResourcePatch)> {
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
            .filter(|r| r.kind == RecordKind::Resource)
            .filter_map(|r| {
                let district = r.district_id.map(|d| d.0);
                match State::from_json(r.kind, r.state?).ok()?.current()? {
                    Body::Resource(entry) => Some((district, entry)),
                    _ => None,
                }
            })
            .collect()
    }

    #[tokio::test]
    async fn the_directory_holds_the_newsletters_entries_and_invents_no_number() {
        let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
        crate::demo::load(&storage, true).await.unwrap();
        let held = entries_for(&storage, "noritsuke.v1").await;
        assert_eq!(
            held.len(),
            super::ENTRIES.len() + super::SALON_ENTRIES.len()
        );
        let named = |name: &str| held.iter().find(|(_, e)| e.name.as_deref() == Some(name));
        // City-wide and districts' entries alike, the newsletter's salons linked.
        assert_eq!(named("おとしよりぐるりんタクシー").unwrap().0, None);
        assert!(named("とくし丸").unwrap().0.is_some());
        assert!(named("居場所「八起き」").unwrap().1.salon().is_some());
        // Only the number the newsletter prints.
        let numbers: Vec<&str> = held
            .iter()
            .filter_map(|(_, e)| e.phone.as_deref())
            .collect();
        assert_eq!(numbers, ["027-321-1319"]);
        // Something for the volunteers only, and something left unchecked too long.
        let today = crate::demo_district::date_of(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64,
        );
        assert!(held.iter().any(|(_, e)| e.public == Some(false)));
        assert!(held.iter().any(|(_, e)| e.is_stale(today)));
        // Another district's volunteer holds the same directory.
        assert_eq!(entries_for(&storage, "kataoka.sc").await.len(), held.len());
    }
}
