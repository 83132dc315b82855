//! Who may do what. Roles follow the people of domain.md: volunteers (住民メンバー), the
//! district's SC, the city-wide first-tier coordinator, and administrators of accounts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees the residents assigned to them and their district's shared data.
    Volunteer,
    /// 第2層SC: everything in their districts; keeps lists current; manages devices.
    Coordinator,
    /// 第1層SC (city): every district.
    City,
    /// Manages accounts.
    Admin,
}

impl Role {
    pub const ALL: &'static [Self] = &[Self::Volunteer, Self::Coordinator, Self::City, Self::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Self::Volunteer => "volunteer",
            Self::Coordinator => "coordinator",
            Self::City => "city",
            Self::Admin => "admin",
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Volunteer => "ボランティア",
            Self::Coordinator => "生活支援コーディネーター",
            Self::City => "市（第1層）",
            Self::Admin => "管理者",
        }
    }

    /// Sees every district, not only the ones the user belongs to.
    pub fn sees_all_districts(self) -> bool {
        matches!(self, Self::City | Self::Admin)
    }

    /// The district's SC: keeps its lists, reads its desk, receives its follow-ups.
    pub fn is_coordinator(self) -> bool {
        self == Self::Coordinator
    }

    /// May list and revoke devices (of people in districts they can see).
    pub fn manages_devices(self) -> bool {
        matches!(self, Self::Coordinator | Self::Admin)
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|role| role.code() == s)
            .ok_or_else(|| {
                format!("unknown role {s:?}: expected volunteer, coordinator, city or admin")
            })
    }
}

/// A login id as typed, made comparable: spaces around it dropped, full-width letters and
/// digits (a Japanese keyboard's 全角 mode) made ASCII, capitals made small. Every place that
/// looks an id up or counts attempts against it uses this form, so that `" Hanako "` and
/// `"ｈａｎａｋｏ"` are one account, never a fresh one for the login throttle.
pub fn normalize_login_id(typed: &str) -> String {
    typed
        .chars()
        .map(|c| match c {
            // Full-width ASCII variants (U+FF01–U+FF5E) sit 0xFEE0 above their ASCII forms.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_ascii_lowercase()
}

/// The longest name a device (「花子のスマホ」) may have, in characters.
pub const MAX_DEVICE_NAME_CHARS: usize = 100;

/// The name a phone gets unless its user types another: what kind of phone it is and the
/// day it was signed in (「Android（11月25日）」), so that an SC can tell a volunteer's two
/// phones apart in the device list.
pub fn default_device_name(user_agent: &str, signed_in: crate::calendar::CivilDate) -> String {
    let kind = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Macintosh", "Mac"),
        ("CrOS", "Chromebook"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(needle, _)| user_agent.contains(needle))
    .map_or("スマホ", |(_, name)| name);
    format!("{kind}（{}月{}日）", signed_in.month, signed_in.day)
}

/// Why a device name cannot be used, in Japanese; `None` when it can.
pub fn device_name_problem(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_DEVICE_NAME_CHARS {
        Some(format!(
            "端末の名前は1〜{MAX_DEVICE_NAME_CHARS}文字で入力してください。"
        ))
    } else if crate::validate::has_forbidden_characters(name, crate::validate::Lines::One) {
        Some("端末の名前に、表示できない特殊な文字が含まれています。".to_owned())
    } else {
        None
    }
}

/// A login id: 3 to 64 of a–z, 0–9, `.`, `-`, `_` (compared without case).
pub fn valid_login_id(login_id: &str) -> bool {
    (3..=64).contains(&login_id.len())
        && login_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Passwords: at least 10 characters (a phrase is easier for older people than symbols).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// And at most this many: longer is no safer, and every check hashes all of it.
pub const MAX_PASSWORD_CHARS: usize = 200;

/// Why a new password cannot be used, in Japanese; `None` when it can. The same rule on
/// the phone (before sending) and on the server.
pub fn new_password_problem(new_password: &str, current_password: &str) -> Option<String> {
    if new_password.chars().count() < MIN_PASSWORD_CHARS {
        Some(format!(
            "新しいパスワードは{MIN_PASSWORD_CHARS}文字以上にしてください。"
        ))
    } else if new_password.chars().count() > MAX_PASSWORD_CHARS {
        Some(format!(
            "新しいパスワードは{MAX_PASSWORD_CHARS}文字以内にしてください。"
        ))
    } else if new_password == current_password {
        Some("今のパスワードとは違うものにしてください。".to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_device_name_says_what_phone_and_when() {
        let day = crate::calendar::CivilDate::new(2026, 11, 25).unwrap();
        let android =
            "Mozilla/5.0 (Linux; Android 14; SH-M26) AppleWebKit/537.36 Chrome/130 Mobile";
        assert_eq!(default_device_name(android, day), "Android（11月25日）");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1";
        assert_eq!(default_device_name(iphone, day), "iPhone（11月25日）");
        assert_eq!(default_device_name("", day), "スマホ（11月25日）");
        assert!(device_name_problem(&default_device_name(android, day)).is_none());
    }

    #[test]
    fn a_new_password_is_long_enough_and_new() {
        assert!(new_password_problem("みかんとりんご", "x").is_some());
        assert!(new_password_problem("sakura-no-hana", "sakura-no-hana").is_some());
        assert_eq!(new_password_problem("sakura-no-hana", "kari-pass-01"), None);
        assert!(new_password_problem(&"さくら".repeat(100), "x").is_some());
    }

    #[test]
    fn roles_parse_from_their_codes_only() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>().unwrap(), *role);
        }
        assert!("sc".parse::<Role>().is_err());
    }

    #[test]
    fn typed_login_ids_are_one_form_whatever_the_keyboard() {
        for typed in [
            "hanako.v1",
            " hanako.v1 ",
            "Hanako.V1",
            "ｈａｎａｋｏ．ｖ１",
            "\u{3000}hanako.v1\n",
        ] {
            assert_eq!(normalize_login_id(typed), "hanako.v1", "{typed:?}");
        }
        assert!(!valid_login_id(&normalize_login_id("hana ko")));
    }

    #[test]
    fn device_names_are_short_plain_text() {
        assert_eq!(device_name_problem("花子のスマホ"), None);
        assert!(device_name_problem("  ").is_some());
        assert!(device_name_problem(&"あ".repeat(101)).is_some());
        assert!(device_name_problem("スマホ\0").is_some());
        assert!(device_name_problem("スマホ\nINFO forged").is_some());
    }

    #[test]
    fn login_ids_are_plain_ascii() {
        assert!(valid_login_id("norituke.sc"));
        assert!(!valid_login_id("ab"));
        assert!(!valid_login_id("乗附"));
        assert!(!valid_login_id("a b c"));
    }
}
