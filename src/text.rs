//! Every word the app shows, in one place (ux.md), so that a second language can be added
//! by translating this file.

pub const APP_NAME: &str = "見守り手帳";

pub const NAV_WATCH: &str = "見守り";
pub const NAV_SALONS: &str = "サロン";
pub const NAV_RESOURCES: &str = "社会資源";
pub const NAV_REPORTS: &str = "記録";
pub const NAV_SETTINGS: &str = "設定";
pub const NAV_LABEL: &str = "画面の切り替え";

pub const WATCH_TITLE: &str = "見守り訪問";
pub const SALONS_TITLE: &str = "居場所・サロン";
pub const SALONS_EMPTY: &str = "サロンの予定は、まだこの端末にありません。";
pub const SALONS_EMPTY_DETAIL: &str = "開催予定と出欠の記録は、今後の更新で使えるようになります。";
pub const RESOURCES_TITLE: &str = "社会資源まとめ";
pub const RESOURCES_EMPTY: &str = "社会資源まとめは、まだこの端末にありません。";
pub const RESOURCES_EMPTY_DETAIL: &str =
    "買い物・移動・配食などの支援の一覧は、今後の更新で見られるようになります。";
pub const REPORTS_TITLE: &str = "記録・報告";
pub const REPORTS_EMPTY: &str = "まだ記録がありません。";
pub const REPORTS_EMPTY_DETAIL: &str = "訪問やサロンの記録がたまると、月ごとの集計がここに出ます。";
pub const NOT_FOUND_TITLE: &str = "このページはありません";
pub const NOT_FOUND_LINK: &str = "見守りの画面に戻る";

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
pub const ACCOUNT_TITLE: &str = "ログイン";
pub const LOGIN_ID: &str = "ログインID";
pub const PASSWORD: &str = "パスワード";
pub const DEVICE_NAME: &str = "この端末の名前";
pub const DEFAULT_DEVICE_NAME: &str = "わたしのスマホ";
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
pub const SIGN_OUT_ANYWAY: &str = "それでもログアウトする";
pub const KEEP_SIGNED_IN: &str = "やめる";

pub const SIGN_IN_FIRST: &str = "先に「設定」からログインしてください。";
pub const NO_DISTRICT: &str = "担当の地区が決まっていません。SCにご連絡ください。";
pub const WATCH_SIGN_IN_HINT: &str = "「設定」からログインすると、担当の方の一覧が出ます。";
pub const GO_TO_SETTINGS: &str = "設定を開く";
pub const RESIDENTS_EMPTY: &str = "担当の方はまだ登録されていません。";
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
pub const ESCALATE_EMERGENCY: &str =
    "緊急のときは、まず119番・110番へ。そのあとSCに連絡してください。";
pub const ESCALATE_SAME_DAY: &str = "今日のうちに、SCかあんしんセンターに伝えてください。";

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
