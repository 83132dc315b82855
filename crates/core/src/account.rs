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

/// A login id: 3 to 64 of a–z, 0–9, `.`, `-`, `_` (compared without case).
pub fn valid_login_id(login_id: &str) -> bool {
    (3..=64).contains(&login_id.len())
        && login_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Passwords: at least 10 characters (a phrase is easier for older people than symbols).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Why a new password cannot be used, in Japanese; `None` when it can. The same rule on
/// the phone (before sending) and on the server.
pub fn new_password_problem(new_password: &str, current_password: &str) -> Option<String> {
    if new_password.chars().count() < MIN_PASSWORD_CHARS {
        Some(format!(
            "新しいパスワードは{MIN_PASSWORD_CHARS}文字以上にしてください。"
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
    fn a_new_password_is_long_enough_and_new() {
        assert!(new_password_problem("みかんとりんご", "x").is_some());
        assert!(new_password_problem("sakura-no-hana", "sakura-no-hana").is_some());
        assert_eq!(new_password_problem("sakura-no-hana", "kari-pass-01"), None);
    }

    #[test]
    fn roles_parse_from_their_codes_only() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>().unwrap(), *role);
        }
        assert!("sc".parse::<Role>().is_err());
    }

    #[test]
    fn login_ids_are_plain_ascii() {
        assert!(valid_login_id("norituke.sc"));
        assert!(!valid_login_id("ab"));
        assert!(!valid_login_id("乗附"));
        assert!(!valid_login_id("a b c"));
    }
}
