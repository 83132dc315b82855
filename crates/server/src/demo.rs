//! Demo data for `cargo xtask run`: Takasaki's 26 districts and a few accounts, loaded
//! only into an empty database so that a demo never overwrites real data. Accounts are made
//! with the same code as `mimamori-server admin user create`.

use mimamori_core::account::Role;
use mimamori_core::districts::TAKASAKI_DISTRICTS;

use mimamori_core::record::DistrictId;

use crate::admin::{self, UserSpec};
use crate::storage::Storage;
use crate::{demo_district, demo_resources, demo_salons};

/// Every demo account's password; printed at start, and the database is a demo's.
pub const DEMO_PASSWORD: &str = "mimamori-demo";

/// (login id, display name, role, district): a 乗附 team, a 片岡 SC, the city, an admin.
const DEMO_ACCOUNTS: [(&str, &str, Role, Option<&str>); 6] = [
    (
        "noritsuke.sc",
        "乗附 SC 佐藤",
        Role::Coordinator,
        Some("乗附"),
    ),
    (
        "noritsuke.v1",
        "乗附 見守り 鈴木",
        Role::Volunteer,
        Some("乗附"),
    ),
    (
        "noritsuke.v2",
        "乗附 見守り 田中",
        Role::Volunteer,
        Some("乗附"),
    ),
    (
        "kataoka.sc",
        "片岡 SC 高橋",
        Role::Coordinator,
        Some("片岡"),
    ),
    ("city", "長寿社会課 第1層SC", Role::City, None),
    ("admin", "システム管理者", Role::Admin, None),
];

/// The demo account that coordinates `district`, if one does (乗附's 佐藤, 片岡's 高橋).
pub(crate) fn signed_in_coordinator_of(district: &str) -> Option<&'static str> {
    DEMO_ACCOUNTS
        .iter()
        .find(|(_, _, role, home)| *role == Role::Coordinator && *home == Some(district))
        .map(|(login, ..)| *login)
}

/// Loads the districts and accounts, and (with `records`) the demo district's records.
pub async fn load(storage: &dyn Storage, records: bool) -> anyhow::Result<()> {
    if !storage.list_districts().await?.is_empty() {
        tracing::info!("database already has districts: demo data not loaded");
        print_logins();
        return Ok(());
    }
    let added = storage.ensure_districts(&TAKASAKI_DISTRICTS).await?;
    for (login_id, display_name, role, district) in DEMO_ACCOUNTS {
        let districts: Vec<String> = district.into_iter().map(str::to_owned).collect();
        let spec = UserSpec {
            login_id,
            display_name,
            role,
            districts: &districts,
        };
        admin::create_user(storage, spec, Some(DEMO_PASSWORD)).await?;
    }
    if !records {
        tracing::info!(added, "demo accounts loaded");
        print_logins();
        return Ok(());
    }
    let noritsuke = storage
        .list_districts()
        .await?
        .into_iter()
        .find(|d| d.name == "乗附")
        .map(|d| DistrictId(d.id))
        .ok_or_else(|| anyhow::anyhow!("乗附 missing from the districts"))?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let (watch, residents) = demo_district::load(storage, noritsuke, now_ms).await?;
    let (salons, named_salons) = demo_salons::load(storage, noritsuke, &residents, now_ms).await?;
    let resources = demo_resources::load(storage, &named_salons, now_ms).await?;
    let records = watch + salons + resources;
    tracing::info!(added, records, "demo data loaded");
    println!(
        "mimamori-server: demo data loaded ({added} districts of Takasaki, {} accounts, {records} records: 乗附's residents and salons, and the salons and directory entries the newsletter names)",
        DEMO_ACCOUNTS.len()
    );
    print_logins();
    Ok(())
}

fn print_logins() {
    println!("mimamori-server: demo logins (password {DEMO_PASSWORD:?}):");
    for (login_id, display_name, role, _) in DEMO_ACCOUNTS {
        println!("    {login_id:<14} {display_name} ({})", role.label_ja());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::verify_password;
    use crate::storage::{Accounts as _, SqliteStorage};

    #[tokio::test]
    async fn demo_loads_the_26_districts_and_the_accounts_once() {
        let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
        load(&storage, true).await.unwrap();
        load(&storage, true).await.unwrap();
        let districts = storage.list_districts().await.unwrap();
        assert_eq!(districts.len(), 26);
        assert_eq!(districts[0].name, "乗附");
        assert_eq!(districts[25].name, "新町");
        let sc = storage
            .find_user_by_login("noritsuke.sc")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sc.role, Role::Coordinator);
        assert_eq!(sc.districts.len(), 1);
        assert!(verify_password(DEMO_PASSWORD, &sc.password_hash));
        assert!(storage
            .find_user_by_login("city")
            .await
            .unwrap()
            .unwrap()
            .districts
            .is_empty());
    }
}
