//! The calm status line that always tells the truth about sync (sync.md, promise 4).

use crate::calendar::{say_day_and_time, CivilDate};

/// A moment in the user's local time, to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalMinute {
    pub date: CivilDate,
    pub hour: u8,
    pub minute: u8,
}

/// What the app knows about where things stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncState {
    /// Someone is signed in: before that, nothing is sent and nothing is "all sent".
    pub signed_in: bool,
    pub online: bool,
    pub unsent: usize,
    pub last_success: Option<LocalMinute>,
}

/// The status line, e.g. 「すべて送信済み・最終同期 今日 10:05」 or
/// 「オフライン・未送信 3件・まだ一度も同期していません」. Offline is stated as a fact, not as
/// an error; "never synced" is only worth saying while something waits to be sent.
pub fn status_line(state: SyncState, today: CivilDate) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(3);
    if !state.online {
        parts.push("オフライン".to_owned());
    }
    if !state.signed_in {
        parts.push("ログインしていません".to_owned());
        return parts.join("・");
    }
    parts.push(if state.unsent == 0 {
        "すべて送信済み".to_owned()
    } else {
        format!("未送信 {}件", state.unsent)
    });
    match state.last_success {
        Some(at) => parts.push(format!(
            "最終同期 {}",
            say_day_and_time(at.date, at.hour, at.minute, today)
        )),
        None if state.unsent > 0 => parts.push("まだ一度も同期していません".to_owned()),
        None => {}
    }
    parts.join("・")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_sign_in_it_says_so_and_claims_nothing_sent() {
        let state = SyncState {
            signed_in: false,
            online: false,
            unsent: 0,
            last_success: None,
        };
        assert_eq!(
            status_line(state, today()),
            "オフライン・ログインしていません"
        );
        let online = SyncState {
            online: true,
            ..state
        };
        assert_eq!(status_line(online, today()), "ログインしていません");
    }

    fn today() -> CivilDate {
        CivilDate::new(2026, 11, 25).unwrap()
    }

    #[test]
    fn all_sent_with_a_recent_sync() {
        let state = SyncState {
            signed_in: true,
            online: true,
            unsent: 0,
            last_success: Some(LocalMinute {
                date: today(),
                hour: 10,
                minute: 5,
            }),
        };
        assert_eq!(
            status_line(state, today()),
            "すべて送信済み・最終同期 今日 10:05"
        );
    }

    #[test]
    fn offline_with_unsent_records_counts_them() {
        let state = SyncState {
            signed_in: true,
            online: false,
            unsent: 3,
            last_success: None,
        };
        assert_eq!(
            status_line(state, today()),
            "オフライン・未送信 3件・まだ一度も同期していません"
        );
    }

    #[test]
    fn nothing_waiting_and_never_synced_is_simply_all_sent() {
        let state = SyncState {
            signed_in: true,
            online: true,
            unsent: 0,
            last_success: None,
        };
        assert_eq!(status_line(state, today()), "すべて送信済み");
    }
}
