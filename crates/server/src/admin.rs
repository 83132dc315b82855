//! `mimamori-server admin …`: the accounts work an administrator does from a shell. Each
//! command is a function over `&dyn Storage` that returns what it prints, so the demo
//! data and the tests use exactly the same code.

use anyhow::{bail, Context as _};
use mimamori_core::account::{valid_login_id, Role, MIN_PASSWORD_CHARS};
use mimamori_core::record::{DeviceId, DistrictId};
use mimamori_core::validate::{has_forbidden_characters, Lines};

use crate::accounts::{hash_password, temporary_password};
use crate::storage::{NewUser, Storage};

/// A district named by its number or its name (「乗附」).
pub async fn resolve_district(storage: &dyn Storage, given: &str) -> anyhow::Result<DistrictId> {
    let districts = storage.list_districts().await?;
    let found = match given.parse::<i64>() {
        Ok(id) => districts.iter().find(|d| d.id == id),
        Err(_) => districts.iter().find(|d| d.name == given.trim()),
    };
    found
        .map(|d| DistrictId(d.id))
        .with_context(|| format!("no district {given:?} (see `admin district list`)"))
}

async fn resolve_districts(
    storage: &dyn Storage,
    given: &[String],
) -> anyhow::Result<Vec<DistrictId>> {
    let mut ids = Vec::with_capacity(given.len());
    for name in given {
        ids.push(resolve_district(storage, name).await?);
    }
    Ok(ids)
}

pub async fn create_district(storage: &dyn Storage, name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        bail!("a district name has 1 to 100 characters");
    }
    if has_forbidden_characters(name, Lines::One) {
        bail!("a district name cannot hold control characters");
    }
    let district = storage.create_district(name).await?;
    Ok(format!("district {} {}", district.id, district.name))
}

pub async fn list_districts(storage: &dyn Storage) -> anyhow::Result<String> {
    let lines: Vec<String> = storage
        .list_districts()
        .await?
        .into_iter()
        .map(|d| format!("{:>4}  {}", d.id, d.name))
        .collect();
    Ok(lines.join("\n"))
}

pub struct UserSpec<'a> {
    pub login_id: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub districts: &'a [String],
}

/// Creates a user. Without `password` a temporary one is made, printed once, and must be
/// changed at first login.
pub async fn create_user(
    storage: &dyn Storage,
    spec: UserSpec<'_>,
    password: Option<&str>,
) -> anyhow::Result<String> {
    if !valid_login_id(spec.login_id) {
        bail!(
            "login id {:?}: 3 to 64 of a-z, 0-9, '.', '-', '_'",
            spec.login_id
        );
    }
    let display_name = spec.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        bail!("a display name has 1 to 100 characters");
    }
    if has_forbidden_characters(display_name, Lines::One) {
        bail!("a display name cannot hold control characters");
    }
    let districts = resolve_districts(storage, spec.districts).await?;
    if districts.is_empty() && !spec.role.sees_all_districts() {
        bail!(
            "a {} belongs to at least one district (--district)",
            spec.role.code()
        );
    }
    let (password, temporary) = match password {
        Some(password) if password.chars().count() < MIN_PASSWORD_CHARS => {
            bail!("a password has at least {MIN_PASSWORD_CHARS} characters")
        }
        Some(password) => (password.to_owned(), false),
        None => (temporary_password(), true),
    };
    let hash = hash_password(&password)?;
    let user = NewUser {
        login_id: spec.login_id,
        display_name,
        role: spec.role,
        password_hash: &hash,
        districts: &districts,
    };
    let id = storage.create_user(user).await?;
    if !temporary {
        storage.set_password(id, &hash, false).await?;
        return Ok(format!(
            "user {id} {} ({})",
            spec.login_id,
            spec.role.code()
        ));
    }
    Ok(format!(
        "user {id} {} ({})\ntemporary password: {password}\n(shown once; it must be changed at first login)",
        spec.login_id,
        spec.role.code()
    ))
}

async fn user_id(
    storage: &dyn Storage,
    login_id: &str,
) -> anyhow::Result<mimamori_core::record::UserId> {
    Ok(storage
        .find_user_by_login(&mimamori_core::account::normalize_login_id(login_id))
        .await?
        .with_context(|| format!("no user {login_id:?}"))?
        .id)
}

pub async fn set_role(storage: &dyn Storage, login_id: &str, role: Role) -> anyhow::Result<String> {
    storage
        .set_user_role(user_id(storage, login_id).await?, role)
        .await?;
    Ok(format!("{login_id} is now {}", role.code()))
}

/// Replaces a user's districts. What they may no longer see leaves their phone at its
/// next sync.
pub async fn set_districts(
    storage: &dyn Storage,
    login_id: &str,
    districts: &[String],
) -> anyhow::Result<String> {
    let ids = resolve_districts(storage, districts).await?;
    storage
        .set_user_districts(user_id(storage, login_id).await?, &ids)
        .await?;
    Ok(format!("{login_id} belongs to {} district(s)", ids.len()))
}

/// A new temporary password, and every device of the user signed out: a reset usually
/// means the old password (or a phone) is in the wrong hands.
pub async fn reset_password(storage: &dyn Storage, login_id: &str) -> anyhow::Result<String> {
    let password = temporary_password();
    let user = user_id(storage, login_id).await?;
    storage
        .set_password(user, &hash_password(&password)?, true)
        .await?;
    storage.revoke_devices(user, None).await?;
    Ok(format!("temporary password for {login_id}: {password}\n(shown once; it must be changed at next login; the user's devices are signed out)"))
}

pub async fn list_devices(storage: &dyn Storage, district: Option<&str>) -> anyhow::Result<String> {
    let filter = match district {
        Some(name) => Some(vec![resolve_district(storage, name).await?]),
        None => None,
    };
    let devices = storage.list_devices(filter.as_deref()).await?;
    if devices.is_empty() {
        return Ok("no devices".to_owned());
    }
    let lines: Vec<String> = devices
        .iter()
        .map(|d| {
            let state = if d.revoked { "revoked" } else { "active" };
            let seen = d.last_seen_at.as_deref().unwrap_or("never");
            format!(
                "{:>5}  {state:<7}  {:<20}  {}  (last seen {seen})",
                d.id.0, d.login_id, d.name
            )
        })
        .collect();
    Ok(lines.join("\n"))
}

pub async fn revoke_device(storage: &dyn Storage, id: i64) -> anyhow::Result<String> {
    storage.revoke_device(DeviceId(id)).await?;
    Ok(format!(
        "device {id} revoked: it will erase its data at its next contact"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Accounts as _, SqliteStorage};

    async fn storage() -> SqliteStorage {
        let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
        create_district(&storage, "乗附").await.unwrap();
        storage
    }

    #[tokio::test]
    async fn a_new_user_gets_a_temporary_password_that_works_once_printed() {
        let storage = storage().await;
        let districts = ["乗附".to_owned()];
        let spec = UserSpec {
            login_id: "taro",
            display_name: "高崎 太郎",
            role: Role::Volunteer,
            districts: &districts,
        };
        let out = create_user(&storage, spec, None).await.unwrap();
        let password = out
            .lines()
            .find_map(|l| l.strip_prefix("temporary password: "))
            .unwrap();
        let user = storage.find_user_by_login("taro").await.unwrap().unwrap();
        assert!(crate::accounts::verify_password(
            password,
            &user.password_hash
        ));
        assert!(user.must_change_password);
    }

    #[tokio::test]
    async fn bad_input_is_refused_and_changes_nothing() {
        let storage = storage().await;
        let none: [String; 0] = [];
        let unknown = ["存在しない地区".to_owned()];
        let cases = [
            UserSpec {
                login_id: "x",
                display_name: "a",
                role: Role::Volunteer,
                districts: &none,
            },
            UserSpec {
                login_id: "taro",
                display_name: " ",
                role: Role::Volunteer,
                districts: &none,
            },
            UserSpec {
                login_id: "taro",
                display_name: "a",
                role: Role::Volunteer,
                districts: &none,
            },
            UserSpec {
                login_id: "taro",
                display_name: "a",
                role: Role::Volunteer,
                districts: &unknown,
            },
        ];
        for spec in cases {
            assert!(create_user(&storage, spec, None).await.is_err());
        }
        assert!(storage.find_user_by_login("taro").await.unwrap().is_none());
        assert!(
            create_district(&storage, "乗附").await.is_err(),
            "names are unique"
        );
    }

    #[tokio::test]
    async fn city_users_need_no_district_and_devices_can_be_revoked_by_number() {
        let storage = storage().await;
        let spec = UserSpec {
            login_id: "city",
            display_name: "長寿社会課",
            role: Role::City,
            districts: &[],
        };
        create_user(&storage, spec, Some("a long demo password"))
            .await
            .unwrap();
        let city = storage.find_user_by_login("city").await.unwrap().unwrap();
        assert!(!city.must_change_password);
        let device = storage
            .create_device(city.id, "庁舎のPC", b"h")
            .await
            .unwrap();
        assert!(list_devices(&storage, None)
            .await
            .unwrap()
            .contains("庁舎のPC"));
        revoke_device(&storage, device.0).await.unwrap();
        assert!(list_devices(&storage, None)
            .await
            .unwrap()
            .contains("revoked"));
        assert!(revoke_device(&storage, 999).await.is_err());
    }
}
