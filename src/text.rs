//! Every word the app shows, in one place (ux.md), so that a second language can be added
//! by translating this file.

pub const APP_NAME: &str = "見守り手帳";
pub const RESOURCE_REFUSED: &str =
    "この社会資源の変更は受け付けられませんでした。今の内容を見て、もう一度直してください。";
pub const RESOURCE_EDIT: &str = "社会資源を直す";
pub const RESOURCE_ADD: &str = "社会資源を加える";
pub const RESOURCE_EDIT_KEEPERS_ONLY: &str =
    "社会資源まとめを直せるのは、その地区の生活支援コーディネーター（SC）と、市内全域の情報は市の担当者です。";
pub const RESOURCE_NAME: &str = "名称";
pub const RESOURCE_KANA: &str = "よみがな（ひらがな）";
pub const RESOURCE_VISIBILITY: &str = "公開するか";
pub const RESOURCE_PUBLIC: &str = "公開（だれにでも見せてよい）";
pub const RESOURCE_PHONE: &str = "電話番号（団体・窓口の番号）";
pub const RESOURCE_APPLY_FIRST: &str = "申込みが必要";
pub const RESOURCE_HAS_PICKUP: &str = "送迎あり";
pub const RESOURCE_IS_BARRIER_FREE: &str = "バリアフリー";
pub const RESOURCE_CHECKED_TODAY: &str = "今日確認した";
pub const RESOURCE_SPREADSHEETS: &str = "社会資源まとめをExcelで";
pub const RESOURCE_SPREADSHEETS_LINK: &str = "Excel（CSV）で書き出す・読み込む";
pub const RESOURCE_SCOPE_OF_FILE: &str = "どの社会資源";
pub const RESOURCE_EXPORT_TITLE: &str = "書き出す";
pub const RESOURCE_EXPORT_NOTE: &str =
    "今の一覧をCSVファイルにします。Excelでそのまま開けます。直して読み込むと、同じ社会資源が更新されます。";
pub const RESOURCE_EXPORT: &str = "CSVファイルに書き出す";
pub const RESOURCE_IMPORT_TITLE: &str = "読み込む";
pub const RESOURCE_IMPORT_NOTE: &str =
    "CSVファイルを選ぶと、保存する前に1行ずつ確かめます。問題のある行が1つでもあると、何も保存しません。電波が必要です。";
pub const RESOURCE_ENCODING: &str = "文字コード（わからなければ「自動」）";
pub const ENCODING_AUTO: &str = "自動";
pub const RESOURCE_CHOOSE_FILE: &str = "CSVファイルを選ぶ";
pub const NEEDS_SIGNAL: &str = "電波がありません。電波のある所でもう一度お試しください。";
pub const FILE_UNREADABLE: &str = "ファイルを読めませんでした。もう一度選んでください。";
pub const IMPORT_CREATE: &str = "新規";
pub const IMPORT_UPDATE: &str = "更新";
pub const IMPORT_UNCHANGED: &str = "変更なし";
pub const IMPORT_REFUSED: &str = "直す必要があります";
pub const CRASH_TITLE: &str = "見守り手帳が止まりました";
pub const CRASH_BODY: &str =
    "アプリの不具合です。保存した記録と書きかけの内容は、この電話に残っています。開き直してください。";
pub const CRASH_REOPEN: &str = "開き直す";

pub const NAV_WATCH: &str = "見守り";
pub const NAV_SALONS: &str = "サロン";
pub const NAV_RESOURCES: &str = "社会資源";
pub const NAV_REPORTS: &str = "記録";
pub const NAV_SETTINGS: &str = "設定";
pub const NAV_LABEL: &str = "画面の切り替え";

pub const WATCH_TITLE: &str = "見守り訪問";
pub const SALONS_TITLE: &str = "居場所・サロン";
pub const SALONS_EMPTY: &str = "サロンは、まだ登録されていません。";

pub const SALON_REFUSED: &str = "サロンの画面で、もう一度入力してください。";
pub const SALON_OPEN: &str = "サロンの画面を開く";
pub const RESOURCES_TITLE: &str = "社会資源まとめ";
pub const RESOURCES_EMPTY: &str =
    "社会資源まとめは、まだこの端末にありません。電波のある所で「今すぐ同期」を押すと届きます。";
pub const RESOURCES_SIGN_IN_HINT: &str =
    "社会資源まとめは、ログインすると、この端末で電波がなくても見られます。";
pub const RESOURCES_SEARCH: &str = "さがす（ひらがな・カタカナどちらでも）";
/// Short enough to be whole in the large text on a 360 px phone.
pub const RESOURCES_SEARCH_EXAMPLE: &str = "例：たくし、草取り";
pub const RESOURCES_SCOPE: &str = "どこの情報";
pub const RESOURCES_MINE: &str = "わたしの地区と市内全域";
pub const RESOURCES_CATEGORY: &str = "分類";
pub const RESOURCES_ALL_CATEGORIES: &str = "すべて";
/// Nothing found: what to try, naming only the settings that would widen the search.
pub fn resources_none_found(every_category: bool, everywhere: bool) -> String {
    let mut tries = vec!["言葉を短くする"];
    if !every_category {
        tries.push("分類を「すべて」にする");
    }
    if !everywhere {
        tries.push("「市内すべて」を選ぶ");
    }
    format!(
        "見つかりませんでした。{}と、見つかるかもしれません。",
        tries.join("、")
    )
}

pub const RESOURCES_NONE_NEARBY: &str = "わたしの地区と市内全域には見つかりませんでした。";

/// The other districts' matches, below the user's own.
pub fn resources_other_districts(count: usize) -> String {
    format!("ほかの地区で見つかったもの（{count}件）")
}

pub const CITY_WIDE: &str = "市内全域";
pub const RESOURCE_INTERNAL_SHORT: &str = "内部用";
pub const RESOURCE_STALE_SHORT: &str = "1年以上確認されていません";
pub const RESOURCE_NOT_FOUND: &str =
    "この社会資源は、この端末にありません。削除されたか、まだ同期されていません。";
pub const BACK_TO_RESOURCES: &str = "社会資源まとめに戻る";
pub const RESOURCE_INTERNAL: &str =
    "協議体の内部用の情報です。住民の方に見せたり渡したりしないでください。";
pub const RESOURCE_STALE: &str =
    "この情報は1年以上確認されていません。紹介する前に、連絡先で確かめてください。";
pub const RESOURCE_SHOW: &str = "見せる（大きな文字で）";
pub const RESOURCE_CALL: &str = "電話する";
pub const RESOURCE_CATEGORIES: &str = "分類";
pub const RESOURCE_PLACE: &str = "地区";
pub const RESOURCE_OPERATOR: &str = "運営";
pub const RESOURCE_WHEN: &str = "とき";
pub const RESOURCE_ADDRESS: &str = "ところ";
pub const RESOURCE_AUDIENCE: &str = "対象";
pub const RESOURCE_CAPACITY: &str = "定員";
pub const RESOURCE_FEE: &str = "費用";
pub const RESOURCE_APPLY: &str = "申込み";
pub const RESOURCE_PICKUP: &str = "送迎";
pub const RESOURCE_BARRIER_FREE: &str = "バリアフリー";
pub const RESOURCE_DESCRIPTION: &str = "説明";
pub const RESOURCE_CHECKED: &str = "最終確認日";
pub const RESOURCE_SALON: &str = "このサロンの予定を見る";
pub const RESOURCE_HAND_ON: &str = "渡す";
pub const RESOURCE_QR_LABEL: &str = "この社会資源の内容のQRコード";
pub const RESOURCE_QR_NOTE: &str =
    "相手の方のスマートフォンのカメラで読み取ると、名前・とき・ところ・費用・電話番号が文字で出ます。電波がなくても使えます。";
pub const RESOURCE_SHARE: &str = "LINE・メールなどで送る";
pub const RESOURCE_PICK: &str = "社会資源まとめから選ぶ（名前や分類を入れると候補が出ます）";
pub const RESOURCE_UNCHOOSE: &str = "はずす";
pub const RESOURCE_UNKNOWN: &str = "（この端末にない社会資源）";
pub const SHOW_CLOSE: &str = "閉じる";
pub const SHOW_CLOSE_AGAIN: &str = "もう一度押すと閉じます";
pub const SHOW_CALL: &str = "電話をかける";

/// The field a search matched in, as the row says it.
pub fn resource_field_label(field: u8) -> &'static str {
    use crate::features::resources::queries as q;
    match field {
        q::CATEGORIES => RESOURCE_CATEGORIES,
        q::OPERATOR => RESOURCE_OPERATOR,
        q::AUDIENCE => RESOURCE_AUDIENCE,
        q::WHEN => RESOURCE_WHEN,
        q::ADDRESS => RESOURCE_ADDRESS,
        _ => RESOURCE_DESCRIPTION,
    }
}

pub fn resources_count(count: usize) -> String {
    format!("{count}件")
}

pub fn resources_more(left: usize) -> String {
    format!("残りの{left}件も表示する")
}

/// The category filter's closed line: what it is set to.
pub fn resources_filter_summary(category: Option<&str>) -> String {
    format!("分類：{}", category.unwrap_or(RESOURCES_ALL_CATEGORIES))
}

pub fn desk_stale_resources(count: usize) -> String {
    format!("1年以上確認していない社会資源（{count}件）")
}

pub fn last_checked(date: Option<mimamori_core::calendar::CivilDate>) -> String {
    match date {
        Some(date) => format!("最終確認 {}", date_ja(date)),
        None => "まだ確認していません".to_owned(),
    }
}

pub fn resources_exported(file: &str) -> String {
    format!("「{file}」を保存しました（ダウンロードの場所にあります）")
}

pub fn resources_imported(count: usize) -> String {
    format!("社会資源を{count}件保存しました")
}

pub fn import_save(count: usize) -> String {
    format!("この内容で{count}件を保存する")
}

pub fn import_row(row: usize, name: &str) -> String {
    format!("{row}行目　{name}")
}

/// What importing the file would do, in one line.
pub fn import_summary(plan: &mimamori_core::directory_csv::ImportPreview) -> String {
    use mimamori_core::directory_csv::ImportAction as A;
    let count = |a: A| plan.rows.iter().filter(|r| r.action == a).count();
    if !plan.headings.is_empty() {
        return "見出しの行を直してください。何も保存していません。".to_owned();
    }
    if plan.ok {
        format!(
            "新規{}件・更新{}件・変更なし{}件。保存すると反映されます。",
            count(A::Create),
            count(A::Update),
            count(A::Unchanged)
        )
    } else {
        format!(
            "{}行に直す必要があります。何も保存していません。ファイルを直して、もう一度選んでください。",
            count(A::Refused)
        )
    }
}

pub fn resource_saved(name: &str) -> String {
    format!("「{name}」を保存しました")
}

/// When an entry was introduced to a resident.
pub fn introduced_on(date: mimamori_core::calendar::CivilDate) -> String {
    format!("{}に紹介", date_ja(date))
}

/// A date as people write it (2026年11月26日).
pub fn date_ja(date: mimamori_core::calendar::CivilDate) -> String {
    format!("{}年{}月{}日", date.year, date.month, date.day)
}
pub const REPORTS_TITLE: &str = "記録・報告";
pub const REPORTS_EMPTY: &str = "まだ記録がありません。";
pub const REPORTS_EMPTY_DETAIL: &str = "訪問を記録すると、ここに件数と最近の訪問が出ます。";
pub const LATEST_VISITS: &str = "最近の訪問";

pub fn visits_in_days(days: i64, count: usize) -> String {
    format!("この{days}日の訪問 {count}件")
}
pub const NOT_FOUND_TITLE: &str = "このページはありません";
pub const NOT_FOUND_LINK: &str = "見守りの画面に戻る";
pub const FOR_COORDINATORS_TITLE: &str = "コーディネーター用の画面です";
pub const FOR_COORDINATORS: &str =
    "この画面は、地区の生活支援コーディネーター（SC）と市の担当者が使います。";

pub const SETTINGS_TITLE: &str = "設定";
pub const LARGE_TEXT: &str = "大きい文字";
pub const LARGE_TEXT_ON: &str = "大きい文字で表示しています";
pub const LARGE_TEXT_OFF: &str = "ふつうの大きさで表示しています";
pub const LARGE_TEXT_SAVE_FAILED: &str = "文字の大きさを保存できませんでした。";
pub const SETTINGS_DATA_NOTE: &str =
    "記録はまずこの端末に保存され、電波のある所で自動的に送られます。";
pub const SETTINGS_VERSION: &str = "バージョン";

pub const UPDATE_AVAILABLE: &str = "新しいバージョンがあります";
pub const UPDATE_BUTTON: &str = "更新する";

pub const STORAGE_FULL: &str = "端末の保存容量がいっぱいです。写真や使わないアプリを整理してから、もう一度お試しください。保存済みの記録は消えていません。";
pub const STORAGE_UNAVAILABLE: &str = "この端末のブラウザでは記録を保存できません。プライベートモードをやめるか、別のブラウザでお試しください。";
pub const STORAGE_FAILED: &str = "この端末に保存できませんでした。もう一度お試しください。";

pub const SYNC_NOW: &str = "今すぐ同期";
pub const SYNCING: &str = "同期中…";
pub const SYNC_OFFLINE_NOTICE: &str =
    "電波がないため、いまは送れませんでした。記録はこの端末に保存されています。電波のある所で自動的に送ります。";
pub const ACCOUNT_TITLE: &str = "ログイン";
pub const LOGIN_ID: &str = "ログインID";
pub const PASSWORD: &str = "パスワード";
pub const DEVICE_NAME: &str = "この端末の名前";
pub const SIGN_IN: &str = "ログインする";
pub const SIGN_IN_MISSING: &str = "ログインIDとパスワードを入力してください。";
pub const SIGN_IN_OFFLINE: &str =
    "サーバーにつながりません。電波のある所で、もう一度お試しください。";
pub const SIGNED_IN_SUFFIX: &str = "としてログインしています。";
pub const SIGN_OUT: &str = "ログアウトする";

/// Why signing out should wait: it would erase records not yet sent.
pub fn unsent_before_sign_out(count: usize) -> String {
    format!(
        "未送信の記録が{count}件あります。ログアウトすると、この端末から消えます。電波のある所で送ってからログアウトするか、ファイルに保存してください。"
    )
}

pub const EXPORT_UNSENT: &str = "未送信の記録をファイルに保存";
pub const EXPORT_FAILED: &str = "ファイルに保存できませんでした。もう一度お試しください。";
pub const WRONG_CURRENT_PASSWORD: &str = "今のパスワードが違います。もう一度入力してください。";

pub fn unsent_file_name(date: &str) -> String {
    format!("見守り手帳-未送信-{date}.csv")
}

pub fn unsent_exported(count: usize, file: &str) -> String {
    format!("未送信の記録{count}件を「{file}」に保存しました。ダウンロードのフォルダーにあります。")
}
pub const SIGN_OUT_ANYWAY: &str = "それでもログアウトする";
pub const KEEP_SIGNED_IN: &str = "やめる";

pub const SIGN_IN_FIRST: &str = "先に「設定」からログインしてください。";
pub const NO_DISTRICT: &str =
    "担当の地区が決まっていません。地区の生活支援コーディネーター（SC）にご連絡ください。";
pub const WATCH_SIGN_IN_HINT: &str = "「設定」からログインすると、担当の方の一覧が出ます。";
pub const GO_TO_SETTINGS: &str = "設定を開く";
pub const RESIDENTS_EMPTY: &str = "担当の方はまだ登録されていません。";
pub const FIRST_SYNC_WAITING: &str = "名簿を受け取っています…";
pub const ADD_RESIDENT: &str = "対象者を登録する";
pub const RESIDENT_NAME: &str = "お名前";
pub const DISTRICT: &str = "地区";
pub const CONSENT_SCOPE: &str = "同意の内容";
pub const DEFAULT_CONSENT_SCOPE: &str = "見守り訪問と地区SCへの共有";
pub const CONSENT_NOTE: &str =
    "ご本人の同意を得てから登録してください。同意の日付は今日になります。";
pub const SAVE: &str = "保存する";
pub const SAVED: &str = "保存しました。";
pub const VISITS_TITLE: &str = "訪問の記録";
pub const VISITS_EMPTY: &str = "まだ訪問の記録がありません。";
pub const LOG_VISIT: &str = "訪問を記録する";
pub const VISIT_METHOD: &str = "会い方";
pub const VISIT_OUTCOME: &str = "ようす";
pub const VISIT_NOTE: &str = "メモ（任意）";
pub const BACK_TO_LIST: &str = "一覧に戻る";
pub const RECORD_NOT_FOUND: &str = "この方の記録は、この端末にありません。";
pub const ESCALATE_SAME_DAY: &str =
    "今日のうちに、生活支援コーディネーター（SC）かあんしんセンターに伝えてください。";

pub const CHANGE_PASSWORD: &str = "パスワードを変える";
pub const CANCEL: &str = "やめる";
pub const CURRENT_PASSWORD: &str = "今のパスワード";
pub const NEW_PASSWORD: &str = "新しいパスワード（10文字以上）";
pub const NEW_PASSWORD_AGAIN: &str = "新しいパスワード（もう一度）";
pub const PASSWORDS_DIFFER: &str = "新しいパスワードが2回とも同じになるように入力してください。";
pub const PASSWORD_CHANGED: &str =
    "パスワードを変えました。次からは新しいパスワードでログインします。";
pub const PASSWORD_NEEDS_SIGNAL: &str =
    "パスワードを変えるには電波が必要です。電波のある所でもう一度お試しください。";
pub const TEMPORARY_PASSWORD: &str =
    "いまのパスワードは仮のものです。ご自分だけが知っているパスワードに変えてください。";
pub const EDIT_RESIDENT: &str = "お名前・連絡先を直す";
pub const CONFLICTS_HELP: &str =
    "同じ項目を別々の端末で同時に直したため、新しい方を採用しました。違っていれば「お名前・連絡先を直す」で直してください。";
pub const CONFLICT_KEPT: &str = "採用:";
pub const CONFLICT_OTHER: &str = "もう一方:";

pub fn conflicts_title(count: usize) -> String {
    format!("食い違いが{count}件あります")
}

pub const DISCARD: &str = "破棄する";
pub const RESEND: &str = "直して送る";
pub const REFUSED_HELP: &str =
    "理由を読んで、直せるものは直して送ってください。いらないものは破棄できます。わからないときはSCにご相談ください。";

pub fn refused_title(count: usize) -> String {
    format!("送れなかった記録が{count}件あります")
}

pub const LOADING: &str = "読み込んでいます…";
pub const CHECK_FIELDS: &str = "⚠の印がついた項目を直してから、もう一度保存してください。";

// 見守りリスト and a resident's page.
pub const WATCH_LIST: &str = "見守りリスト";
pub const RECORD: &str = "記録";
pub const LAST_VISIT: &str = "前回: ";
pub const RESIDENT_KANA: &str = "ふりがな";
pub const RESIDENT_AREA: &str = "町内";
pub const RESIDENT_ADDRESS: &str = "住所";
pub const RESIDENT_PHONE: &str = "電話番号";
pub const RESIDENT_NOTE: &str = "メモ（任意）";
pub const EMERGENCY_CONTACT: &str = "緊急連絡先";
pub const CONTACT_NAME: &str = "緊急連絡先のお名前";
pub const CONTACT_RELATION: &str = "続柄（長男・姪など）";
pub const CONTACT_PHONE: &str = "緊急連絡先の電話番号";
pub const VISIT_INTERVAL: &str = "訪問の間隔（日）";
pub const VISIT_INTERVAL_SHOWN: &str = "訪問の間隔";
pub const WATCH_STATUS: &str = "見守りの状況";
pub const STATUS_REASON: &str = "理由（入院・転居など）";
pub const ASSIGNED: &str = "担当";
pub const NOBODY_ASSIGNED: &str = "まだ決まっていません";
pub const CONSENT: &str = "同意";
pub const SHARE_WITH_CENTER: &str = "あんしんセンター（地域包括支援センター）と共有してよい";
pub const YES: &str = "はい";
pub const NO: &str = "いいえ";
pub const MANAGE_RESIDENT: &str = "担当・状況を決める";
pub const UNASSIGN_NOTE: &str = "担当から外した方の端末からは、次の同期でこの方の記録が消えます。";
pub const MORE_VISITS: &str = "もっと見る";
pub const CORRECT: &str = "直す";
pub const NEEDS_AT_A_GLANCE: &str = "最近の困りごと";
pub const DRAFT_WAITING: &str =
    "書きかけの訪問の記録があります。「訪問を記録する」から続けられます。";
pub const LOST_EDITS_TITLE: &str = "あなたの変更が、ほかの方の変更に置き換わりました";
pub const NOTHING_CHANGED: &str = "変わったところはありません。";
pub const TRY_AGAIN: &str = "もう一度読み込む";

/// A name with さん.
pub fn honorific(name: &str) -> String {
    format!("{name}さん")
}

pub fn every_days(days: u16) -> String {
    format!("{days}日ごと")
}

pub fn consent_line(date: &str, scope: &str, share: bool) -> String {
    let center = if share {
        "あんしんセンターと共有可"
    } else {
        "あんしんセンターとは共有しない"
    };
    format!("{date}（{scope}・{center}）")
}

pub fn lost_edit(field: &str, yours: &str, kept: &str) -> String {
    format!("{field}: あなたの「{yours}」ではなく「{kept}」になっています。違っていれば直してください。")
}

pub fn need_count(need: &str, times: usize) -> String {
    format!("{need}（{times}回）")
}

pub fn visited_by(name: &str) -> String {
    format!("記録: {name}")
}

pub fn corrected_at(when: &str) -> String {
    format!("（{when}に直しました）")
}

pub fn resident_saved(name: &str) -> String {
    format!("{}の記録を保存しました。", honorific(name))
}

pub fn follow_ups_link(open: usize, overdue: usize) -> String {
    match (open, overdue) {
        (0, _) => "やること（フォローアップ）".to_owned(),
        (n, 0) => format!("やること {n}件"),
        (n, late) => format!("やること {n}件（⚠期限切れ{late}件）"),
    }
}

// The visit.
pub const SAVING: &str = "保存しています…";
pub const SECTION_SIGNS: &str = "気づき（郵便物・においなど）";
pub const SECTION_NEEDS: &str = "困りごと";
pub const SECTION_ACTIONS: &str = "したこと（対応）";
pub const SECTION_RESOURCES: &str = "紹介した資源";
pub const RESOURCES_NOTE: &str = "紹介したもの（配食サービスのチラシ など）";
pub const SECTION_FOLLOW_UP: &str = "あとでやること・次の訪問";
pub const FOLLOW_UP_WHAT: &str = "あとでやること";
pub const FOLLOW_UP_DUE: &str = "いつまでに";
pub const FOLLOW_UP_OWNER: &str = "だれがやる";
pub const OWNER_ME: &str = "わたし";
pub const NEXT_VISIT: &str = "次の訪問の予定日";
pub const SECTION_CO_VISITORS: &str = "一緒に訪問した人";
pub const DRAFT_RESTORED: &str = "書きかけの記録を戻しました。";
pub const DRAFT_DISCARDED: &str = "下書きを捨てました。";
pub const DISCARD_DRAFT: &str = "下書きを捨てる";
pub const DISCARD_DRAFT_CONFIRM: &str = "書きかけの内容を消します。よろしいですか？";
pub const MUST_REPORT_TODAY: &str =
    "今日のうちに、生活支援コーディネーター（SC）に電話で伝えてください。";
pub const OPEN_EMERGENCY_GUIDE: &str = "緊急時の連絡先を開く";
pub const ANSHIN_CENTER: &str = "あんしんセンター";

pub fn owner_sc(name: &str) -> String {
    format!("SC（{name}）")
}

pub fn visit_title(name: &str) -> String {
    format!("{}の訪問", honorific(name))
}

pub fn visit_edit_title(name: &str) -> String {
    format!("{}の訪問を直す", honorific(name))
}

pub fn visit_saved(name: &str) -> String {
    format!("{}の訪問を保存しました。", honorific(name))
}

pub fn diagnosis_hint(word: &str) -> String {
    format!("「{word}」のような病名や薬の名前は書かず、ようすを「気になる」にして、見たこと・聞いたことを書いてください。")
}

// Escalation.
pub const EMERGENCY_TITLE: &str = "緊急のとき";
pub const CALL_119: &str = "救急車・火事";
pub const CALL_110: &str = "警察";
pub const DO_NOT_ENTER_ALONE: &str = "ひとりで家の中に入らないでください。";
pub const EMERGENCY_THEN: &str = "そのあと、生活支援コーディネーター（SC）に知らせてください。";
pub const EMERGENCY_SAVED: &str =
    "「緊急」として記録しました。まちがいなら下のボタンで取り消せます。";
pub const EMERGENCY_SAVE_ON_FORM: &str = "閉じたあと「保存する」で保存します。";
pub const UNDO_EMERGENCY: &str = "まちがえて押した（記録を取り消す）";
pub const EMERGENCY_UNDONE: &str = "「緊急」の記録を取り消しました。書いた内容は残っています。";
pub const FAMILY_THEN: &str = "ご家族など（この方の緊急連絡先）";
pub const NO_FAMILY_CONTACT: &str = "この方の緊急連絡先は、まだ登録されていません。";

/// 「高橋 一郎さん（長男）」 as the guide's call button names a family contact.
pub fn family_called(name: &str, relation: &str) -> String {
    let name = name.trim();
    let relation = relation.trim();
    match (name.is_empty(), relation.is_empty()) {
        (false, false) => format!("{name}さん（{relation}）"),
        (false, true) => format!("{name}さん"),
        (true, false) => relation.to_owned(),
        (true, true) => EMERGENCY_CONTACT.to_owned(),
    }
}
pub const CLOSE_GUIDE: &str = "閉じて記録に戻る";

pub fn sc_called(name: &str) -> String {
    if name.trim().is_empty() {
        "生活支援コーディネーター（SC）".to_owned()
    } else {
        format!("SC {name}")
    }
}

pub fn no_number(who: &str) -> String {
    format!("{who}の電話番号は、まだ登録されていません。")
}

// Follow-ups.
pub const FOLLOW_UPS_TITLE: &str = "やること（フォローアップ）";
pub const FOLLOW_UPS_HELP: &str =
    "訪問のときに「あとでやる」と決めたことです。期限の過ぎたものが上にあります。";
pub const FOLLOW_UPS_EMPTY: &str = "いま、あなたのやることはありません。";
pub const FOLLOW_UPS_EMPTY_ALL: &str = "残っているやることはありません。";
pub const FOLLOW_UPS_OPEN: &str = "この方のやること";
pub const FINISH_FOLLOW_UP: &str = "済みにする";
pub const FINISH_FOLLOW_UP_CONFIRM: &str = "済みにして保存";
pub const DONE_NOTE: &str = "どうなったか（ひとこと・任意）";
pub const FOLLOW_UP_DONE: &str = "済みにしました。";

pub fn owned_by(name: &str) -> String {
    format!("担当: {name}")
}

// The SC's desk.
pub const DESK_TITLE: &str = "地区のようす（SC）";
pub const DESK_FOLLOW_UPS: &str = "残っているやること（担当者別）";
pub const DESK_STOPPED: &str = "休止・終了の方";
pub const CONTACTS: &str = "地区の連絡先";
pub const CONTACTS_HELP: &str =
    "緊急時と「要連絡」の画面に出る番号です。ボランティアの端末にも届きます。";
pub const CONTACTS_REFUSED: &str = "「地区のようす」の連絡先の欄で、もう一度入力してください。";
pub const SC_NAME: &str = "SCのお名前";
pub const SC_PHONE: &str = "SCの電話番号";
pub const CENTER_NAME: &str = "あんしんセンターの名前";
pub const CENTER_PHONE: &str = "あんしんセンターの電話番号";
pub const DEVICES_TITLE: &str = "地区の端末";
pub const DEVICES_NEED_SIGNAL: &str = "端末の一覧は、電波のある所で表示します。";
pub const NEVER_SYNCED: &str = "まだ同期していません";
pub const REVOKE: &str = "この端末を使えなくする";
pub const REVOKED: &str = "使えなくしました（次に電波に入ったとき、記録が端末から消えます）";

pub fn contacts_title(district: &str) -> String {
    format!("{district}の連絡先")
}

pub fn desk_overdue(overdue: usize, active: usize) -> String {
    format!("未訪問 {overdue}人（見守り中 {active}人）")
}

pub fn desk_concerns(days: i64, count: usize) -> String {
    format!("この{days}日の 気になる・要連絡（{count}件）")
}

pub fn desk_emergencies(days: i64, count: usize) -> String {
    format!("緊急（この{days}日・{count}件）")
}

pub fn desk_unassigned(count: usize) -> String {
    format!("担当のいない方（{count}人）")
}

pub fn last_seen(when: &str) -> String {
    format!("最後の同期 {when}")
}

pub fn signed_in_at(when: &str) -> String {
    format!("ログイン {when}")
}

pub fn revoke_confirm(who: &str) -> String {
    format!("{who}を使えなくします。この端末の未送信の記録は届かなくなります。よろしいですか？")
}

pub const THIS_PHONE: &str = "いま使っている端末です";

pub fn revoked_devices(count: usize) -> String {
    format!("使えなくした端末（{count}台）")
}

// 居場所・サロン.
pub const SALONS_WEEK_TITLE: &str = "今週・来週のサロン";
pub const SALONS_SIGN_IN_HINT: &str =
    "「設定」からログインすると、地区と市内のサロンの予定が出ます。";
pub const SALONS_SCOPE: &str = "どこのサロンを見るか";
pub const SALONS_MINE: &str = "わたしの地区";
pub const SALONS_CITY: &str = "市内すべて";
pub const SALONS_NONE_THIS_FORTNIGHT: &str = "今週・来週の予定はありません。";
pub const SALONS_ALL: &str = "サロンの一覧";
pub const ADD_SALON: &str = "サロンを登録する";
pub const EDIT_SALON: &str = "サロンの内容を直す";
pub const SALON_EDIT_SC_ONLY: &str =
    "サロンの登録と変更は、地区の生活支援コーディネーター（SC）が行います。";
pub const SALON_NOT_FOUND: &str = "このサロンの記録は、この端末にありません。";
pub const SESSION_NOT_FOUND: &str = "この日の開催は、この端末の記録にありません。";
pub const BACK_TO_SALONS: &str = "サロンの一覧へ";
pub const BACK_TO_SALON: &str = "サロンの画面へ";
pub const SALON_ENDED: &str = "このサロンは終了しています。";
pub const SALON_CALL: &str = "問い合わせ先に電話";
pub const SALON_NEXT: &str = "これからの予定";
pub const SALON_NO_NEXT: &str = "これからの予定はありません。";
pub const SALON_RECENT: &str = "最近の出欠";
pub const SALON_DETAILS: &str = "くわしく";
pub const SALON_CALENDAR: &str = "カレンダーに入れる";
pub const SALON_CALENDAR_NOTE: &str =
    "スマホのカレンダーに予定が入ります。中止や変更も反映されます（ご家族にもこのページから）。";
pub const SALON_NAME: &str = "サロンの名前";
pub const SALON_KANA: &str = "よみがな";
pub const SALON_CONTENTS: &str = "内容";
pub const SALON_WHEN: &str = "日程";
pub const SALON_REPEAT: &str = "開く日の決まり";
pub const SALON_WEEKS: &str = "第何週";
pub const SALON_WEEKDAYS: &str = "曜日";
pub const SALON_DATES: &str = "開く日";
pub const ADD_DATE: &str = "日付を加える";
pub const REMOVE: &str = "取り消す";
pub const SALON_FROM: &str = "いつから";
pub const SALON_UNTIL: &str = "いつまで（決まっていれば）";
pub const SALON_SKIP_HOLIDAYS: &str = "祝日は休み";
pub const SALON_VENUE: &str = "会場";
pub const SALON_ADDRESS: &str = "会場の住所";
pub const SALON_FEE: &str = "参加費（例: 100円、無料）";
pub const SALON_CAPACITY: &str = "定員";
pub const SALON_APPLY: &str = "申込";
pub const SALON_APPLY_FIRST: &str = "申込が必要";
pub const SALON_CONTACT: &str = "問い合わせ先";
pub const SALON_PHONE: &str = "問い合わせ先の電話番号";
pub const SALON_ORGANISERS: &str = "運営する方（出欠をとる方）";
pub const SALON_ABSENCES: &str = "何回続けて休んだら見守りを考えるか";
pub const SALON_NOTE: &str = "メモ（持ち物・送迎など）";
pub const SALON_MARK_ENDED: &str = "このサロンは終了した";
pub const SCHEDULE_INCOMPLETE: &str = "開始と終了の時刻、始まる日を入れてください。";
pub const TAKE_ATTENDANCE: &str = "出欠";
pub const CHANGE_SESSION: &str = "変更・中止";
pub const CHANGE_SESSION_TITLE: &str = "この日の変更・中止";
pub const SESSION_PLAN: &str = "この日は";
pub const SESSION_AS_PLANNED: &str = "予定どおり";
pub const SESSION_CANCEL: &str = "中止";
pub const SESSION_MOVE: &str = "日時・会場を変更";
pub const SESSION_REASON: &str = "中止の理由";
pub const SESSION_REASON_TEXT: &str = "理由（みなさんに伝わります）";
pub const SESSION_NEW_DATE: &str = "日にち";
pub const SESSION_START: &str = "開始";
pub const SESSION_END: &str = "終了";
pub const SESSION_VENUE: &str = "会場（変わるとき）";
pub const SESSION_VENUE_HINT: &str = "いつもの会場なら空けておく";
pub const SESSION_MOVE_INCOMPLETE: &str = "変更後の日にちと時刻を入れてください。";
pub const SESSION_ENDS_BEFORE_START: &str = "終了の時刻は、開始より後にしてください。";
pub const EXTRA_SESSION_TITLE: &str = "臨時開催を加える";
pub const ADD_EXTRA_SESSION: &str = "臨時開催を加える";
pub const EXTRA_REASON: &str = "内容・理由（みなさんに伝わります）";
pub const EXTRA_INCOMPLETE: &str = "臨時開催の日にちと時刻を入れてください。";
pub const EXTRA_ON_SCHEDULED: &str =
    "この日はもともと開催日です。時刻や会場を変えるときは、その日の「変更・中止」からどうぞ。";
pub const EXTRA_TAKE_BACK: &str = "この臨時開催を取りやめる";
pub const ATTENDANCE_TITLE: &str = "出欠";
pub const ATTENDANCE_NOT_SAVED: &str = "保存できませんでした。もう一度押してください。";
pub const MEMBERS: &str = "会員（押すと出席）";
pub const NO_MEMBERS: &str = "会員はまだいません。下で加えられます。";
pub const MEMBER_NAME: &str = "名前";
pub const MEMBER_KANA: &str = "よみがな";
pub const MEMBER_NAME_NEEDED: &str = "加える方の名前を入れてください。";
pub const ADD_MEMBER_TITLE: &str = "会員でない方が来たとき";

/// 「青木 トミさん：出席（保存しました）」, said after each tick.
pub fn tick_saved(name: &str, here: bool) -> String {
    let what = if here {
        "出席"
    } else {
        "出席を取り消し"
    };
    format!("{name}さん：{what}（保存しました）")
}

pub fn member_added(name: &str) -> String {
    format!("{name}さんを会員に加えて、出席にしました。")
}
pub const ADD_MEMBER: &str = "会員に加えて出席にする";
pub const COUNTED_AT_DOOR: &str = "受付で数えた人数";
pub const WALK_INS: &str = "当日参加";
pub const VISITORS: &str = "見学";
pub const HELPERS: &str = "担い手";
pub const FIRST_TIMERS: &str = "初参加";
pub const ATTENDANCE_NOTE: &str = "メモ";
pub const SAVE_NOTE: &str = "メモを保存";
pub const NOTE_SAVED: &str = "メモを保存しました。";

/// A day's heading: 「今日 11月26日(木)」, 「明日 …」, else 「11月28日(土)」 (with the
/// year when it is not this year's).
pub fn day_heading(
    date: mimamori_core::calendar::CivilDate,
    today: mimamori_core::calendar::CivilDate,
) -> String {
    let mut full = format!("{}月{}日({})", date.month, date.day, date.weekday_ja());
    if date.year != today.year {
        full = format!("{}年{full}", date.year);
    }
    match date.days_since_epoch() - today.days_since_epoch() {
        0 => format!("今日 {full}"),
        1 => format!("明日 {full}"),
        -1 => format!("昨日 {full}"),
        _ => full,
    }
}

pub fn session_moved(reason: &str) -> String {
    if reason.is_empty() {
        "日時・会場の変更があります".to_owned()
    } else {
        format!("変更あり（{reason}）")
    }
}

pub fn session_extra(reason: &str) -> String {
    if reason.is_empty() {
        "臨時開催".to_owned()
    } else {
        format!("臨時開催（{reason}）")
    }
}

pub fn session_cancelled(reason: &str) -> String {
    if reason.is_empty() {
        "中止".to_owned()
    } else {
        format!("中止（{reason}）")
    }
}

pub fn session_holiday(holiday: &str) -> String {
    format!("休み（{holiday}）")
}

pub fn session_changed(
    salon: &str,
    date: mimamori_core::calendar::CivilDate,
    exception: Option<&mimamori_core::salons::Exception>,
) -> String {
    let day = format!("{}月{}日", date.month, date.day);
    match exception {
        None => format!("{salon}の{day}は予定どおりにしました"),
        Some(e) if e.extra => format!("{salon}の{day}に臨時開催を加えました"),
        Some(e) if e.cancelled => format!("{salon}の{day}を中止にしました"),
        Some(_) => format!("{salon}の{day}の変更を保存しました"),
    }
}

#[cfg(feature = "coordinator")]
pub fn schedule_clashes_with(date: mimamori_core::calendar::CivilDate) -> String {
    format!(
        "{}月{}日は時刻を変えてあり、この時刻では終わりが始まりより前になります。先にその日の「変更・中止」を直してください。",
        date.month, date.day
    )
}

pub fn extra_changed(salon: &str, date: mimamori_core::calendar::CivilDate) -> String {
    format!(
        "{salon}の{}月{}日の臨時開催を変更しました",
        date.month, date.day
    )
}

pub fn extra_taken_back(salon: &str, date: mimamori_core::calendar::CivilDate) -> String {
    format!(
        "{salon}の{}月{}日の臨時開催を取りやめました",
        date.month, date.day
    )
}

pub fn apply_first(needed: bool) -> &'static str {
    if needed {
        "申込が必要です"
    } else {
        "申込はいりません"
    }
}

pub fn members_count(count: usize) -> String {
    format!("会員 {count}人")
}

pub fn attendance_summary(taken: Option<usize>) -> String {
    match taken {
        Some(count) => format!("出席 {count}人"),
        None => "まだ出欠をとっていません".to_owned(),
    }
}

pub fn attendance_total(members: usize, walk_ins: usize) -> String {
    format!(
        "出席 {}人（会員 {members}人・当日参加 {walk_ins}人）",
        members + walk_ins
    )
}

pub fn minus(what: &str) -> String {
    format!("{what}を1人減らす")
}

pub fn plus(what: &str) -> String {
    format!("{what}を1人増やす")
}

pub fn others_counted(count: u16) -> String {
    format!("ほかの方は{count}人")
}

pub fn salon_saved(name: &str) -> String {
    format!("「{name}」を保存しました")
}

// The desk's suggestions from salon absences.
pub const DESK_ABSENCES: &str = "サロンを続けて休んでいる方";
pub const NO_ABSENCES: &str = "続けて休んでいる方はいません。";
pub const ASK_VISIT: &str = "見守りを頼む";
pub const SAME_NAME_RESIDENTS: &str = "同じお名前の見守り対象者の方がいます：";
pub const FIND_RESIDENT: &str = "見守り対象者の方を名前で探す";
pub const FIND_RESIDENT_EXAMPLE: &str = "例：たけうち";
pub const NO_RESIDENT_FOUND: &str =
    "見守り対象者の中に見つかりません。登録がまだなら、下のボタンから。";
pub const REGISTER_FIRST: &str = "見守り対象者として登録する";

/// 「竹内 スミさん（乗附町 西）に見守りを頼む」
pub fn ask_visit_for(name: &str, area: Option<&str>) -> String {
    match area.map(str::trim).filter(|a| !a.is_empty()) {
        Some(area) => format!("{name}さん（{area}）に見守りを頼む"),
        None => format!("{name}さんに見守りを頼む"),
    }
}
pub const SKIP_ABSENCE: &str = "今回は見送る";

pub fn absences_line(name: &str, salon: &str, missed: u32, last_came: Option<String>) -> String {
    let last = last_came.map_or_else(
        || "まだ参加がありません".to_owned(),
        |d| format!("最後の参加 {d}"),
    );
    format!("{name}さん（{salon}）{missed}回続けてお休み・{last}")
}

pub fn linked_resident(name: &str) -> String {
    format!("見守り対象者: {name}さん")
}

pub fn absence_follow_up(salon: &str, missed: u32) -> String {
    format!("{salon}を{missed}回続けて休んでいます。様子を見に行く")
}

pub fn absence_asked(name: &str) -> String {
    format!("{name}さんの見守りを、やることに入れました。")
}

pub fn absence_skipped(name: &str) -> String {
    format!("{name}さんの今回のお休みは見送りました。")
}

// The salons' figures on the 記録 tab.
pub const SALON_FIGURES: &str = "サロンの集計";
pub const ATTENDANCES: &str = "延べ参加者数";
pub const DISTINCT_PEOPLE: &str = "実人数";
pub const AVERAGE: &str = "1回の平均";
pub const HELPERS_TOTAL: &str = "担い手（延べ）";

pub fn month_heading(year: i32, month: u8) -> String {
    format!("{year}年{month}月")
}

pub fn sessions_held(count: u32) -> String {
    format!("開催 {count}回")
}

pub fn people(count: u32) -> String {
    format!("{count}人")
}

// The city's home.
pub const CITY_HOME_TITLE: &str = "市の担当の方へ";
pub const CITY_HOME_LEAD: &str = "市の担当の方が、ここからできること：";
pub const CITY_RESOURCES_TITLE: &str = "社会資源まとめ（市内全域）";
pub const CITY_RESOURCES_WHAT: &str = "市内全域の窓口やサービスの情報を、市が最新に保ちます。直した内容は、各地区のボランティアの端末にも届きます。";
pub const CITY_RESOURCES_OPEN: &str = "社会資源まとめを開く";
pub const CITY_RESOURCES_ADD: &str = "市内全域の情報を加える";
pub const CITY_SALONS_TITLE: &str = "居場所・サロン";
pub const CITY_SALONS_WHAT: &str = "市内すべての地区の居場所・サロンの予定と場所を見られます。";
pub const CITY_SALONS_OPEN: &str = "サロンの予定を見る";
pub const CITY_WATCH_TITLE: &str = "見守りの記録について";
pub const CITY_WATCH_WHAT: &str = "見守りの記録は個人の情報のため、その地区のSCと担当のボランティアだけが見ます。市の画面には出ません。";
pub const NAV_HOME: &str = "ホーム";
pub const DESK_FOR_SC: &str = "この画面は、地区の生活支援コーディネーター（SC）のものです。";

// iPhones: add the app to the home screen, said once.
pub const HOME_SCREEN_HINT_TITLE: &str = "iPhone・iPadの方へ";
pub const HOME_SCREEN_HINT_WHY: &str =
    "ホーム画面に追加すると、電波がなくても開け、送る前の記録も消えにくくなります。";
pub const HOME_SCREEN_HINT_STEP_1: &str = "共有ボタン（四角に上向きの矢印）を押す";
pub const HOME_SCREEN_HINT_STEP_2: &str = "「ホーム画面に追加」を選ぶ";
pub const HOME_SCREEN_HINT_STEP_3: &str = "次からはホーム画面の「見守り手帳」から開く";
pub const HOME_SCREEN_HINT_READ: &str = "わかりました";
