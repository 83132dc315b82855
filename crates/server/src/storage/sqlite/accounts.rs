use async_trait::async_trait;
use mimamori_core::account::Role;
use mimamori_core::record::{DeviceId, DistrictId, UserId};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, Sqlite, Transaction};

use super::{unique_violation, SqliteStorage};
use crate::storage::{Accounts, DeviceInfo, DeviceSession, NewUser, StorageError, UserAccount};

const USER_COLUMNS: &str = "id, login_id, display_name, role, password_hash, must_change_password";

const DEVICE_COLUMNS: &str = "d.id, d.user_id, u.login_id, u.display_name, d.name, d.created_at, \
                              d.last_seen_at, d.revoked_at IS NOT NULL AS revoked";

fn device_info(row: &SqliteRow) -> DeviceInfo {
    DeviceInfo {
        id: DeviceId(row.get("id")),
        user_id: UserId(row.get("user_id")),
        login_id: row.get("login_id"),
        display_name: row.get("display_name"),
        name: row.get("name"),
        created_at: row.get("created_at"),
        last_seen_at: row.get("last_seen_at"),
        revoked: row.get("revoked"),
    }
}

impl SqliteStorage {
    async fn user_from_row(
        &self,
        row: Option<SqliteRow>,
    ) -> Result<Option<UserAccount>, StorageError> {
        let Some(row) = row else { return Ok(None) };
        let id = UserId(row.get("id"));
        let role: String = row.get("role");
        let districts = sqlx::query_scalar(
            "SELECT district_id FROM user_districts WHERE user_id = ? ORDER BY district_id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(DistrictId)
        .collect();
        Ok(Some(UserAccount {
            id,
            login_id: row.get("login_id"),
            display_name: row.get("display_name"),
            role: role.parse().map_err(StorageError::NotFound)?,
            password_hash: row.get("password_hash"),
            must_change_password: row.get("must_change_password"),
            districts,
        }))
    }
}

async fn districts_of(
    tx: &mut Transaction<'_, Sqlite>,
    user: UserId,
) -> Result<Vec<DistrictId>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT district_id FROM user_districts WHERE user_id = ? ORDER BY district_id",
    )
    .bind(user.0)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(DistrictId)
    .collect())
}

async fn replace_districts(
    tx: &mut Transaction<'_, Sqlite>,
    user: UserId,
    districts: &[DistrictId],
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM user_districts WHERE user_id = ?")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    for district in districts {
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM districts WHERE id = ?")
            .bind(district.0)
            .fetch_optional(&mut **tx)
            .await?;
        if known.is_none() {
            return Err(StorageError::NotFound(format!("district {district}")));
        }
        sqlx::query("INSERT OR IGNORE INTO user_districts (user_id, district_id) VALUES (?, ?)")
            .bind(user.0)
            .bind(district.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[async_trait]
impl Accounts for SqliteStorage {
    async fn create_user(&self, user: NewUser<'_>) -> Result<UserId, StorageError> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (login_id, display_name, role, password_hash) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(user.login_id)
        .bind(user.display_name)
        .bind(user.role.code())
        .bind(user.password_hash)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, || format!("login id {}", user.login_id)))?;
        replace_districts(&mut tx, UserId(id), user.districts).await?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    async fn find_user_by_login(
        &self,
        login_id: &str,
    ) -> Result<Option<UserAccount>, StorageError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE login_id = ?"
        ))
        .bind(login_id)
        .fetch_optional(&self.pool)
        .await?;
        self.user_from_row(row).await
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<UserAccount>, StorageError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        self.user_from_row(row).await
    }

    async fn set_user_role(&self, id: UserId, role: Role) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET role = ? WHERE id = ?")
            .bind(role.code())
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound(format!("user {id}")));
        }
        // What they may see changed: their phones look at their districts' records again.
        let districts = districts_of(&mut tx, id).await?;
        super::sync::districts_visibility_changed(&mut tx, id, &districts).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_user_districts(
        &self,
        id: UserId,
        districts: &[DistrictId],
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StorageError::NotFound(format!("user {id}")));
        }
        let mut affected = districts_of(&mut tx, id).await?;
        replace_districts(&mut tx, id, districts).await?;
        affected.extend_from_slice(districts);
        affected.sort_unstable();
        affected.dedup();
        super::sync::districts_visibility_changed(&mut tx, id, &affected).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        temporary: bool,
    ) -> Result<(), StorageError> {
        let done = sqlx::query(
            "UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
        )
        .bind(password_hash)
        .bind(temporary)
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound(format!("user {id}")));
        }
        Ok(())
    }

    async fn create_device(
        &self,
        user: UserId,
        name: &str,
        token_hash: &[u8],
    ) -> Result<DeviceId, StorageError> {
        let id = sqlx::query_scalar(
            "INSERT INTO devices (user_id, name, token_hash) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(user.0)
        .bind(name)
        .bind(token_hash)
        .fetch_one(&self.pool)
        .await?;
        Ok(DeviceId(id))
    }

    async fn device_by_token_hash(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<DeviceSession>, StorageError> {
        // Every authenticated request comes here: reading is free in WAL mode, writing takes
        // the one write lock, so "last seen" is written only when a minute old.
        let row = sqlx::query(
            "SELECT id, user_id, revoked_at IS NOT NULL AS revoked, \
                    last_seen_at IS NULL \
                    OR last_seen_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-60 seconds') AS stale \
             FROM devices WHERE token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if row.get::<bool, _>("stale") {
            sqlx::query(
                "UPDATE devices SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
                 WHERE id = ?",
            )
            .bind(row.get::<i64, _>("id"))
            .execute(&self.pool)
            .await?;
        }
        let Some(user) = self.user_by_id(UserId(row.get("user_id"))).await? else {
            return Ok(None);
        };
        Ok(Some(DeviceSession {
            device: DeviceId(row.get("id")),
            revoked: row.get("revoked"),
            user,
        }))
    }

    async fn people_in_district(
        &self,
        district: DistrictId,
    ) -> Result<Vec<mimamori_core::api::Person>, StorageError> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name, u.role FROM users u \
             JOIN user_districts d ON d.user_id = u.id \
             WHERE d.district_id = ? AND u.role IN ('volunteer', 'coordinator') \
             ORDER BY u.role = 'coordinator' DESC, u.display_name",
        )
        .bind(district.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.get("role");
                Ok(mimamori_core::api::Person {
                    user_id: UserId(row.get("id")),
                    display_name: row.get("display_name"),
                    role: role.parse().map_err(StorageError::NotFound)?,
                })
            })
            .collect()
    }

    async fn list_devices(
        &self,
        districts: Option<&[DistrictId]>,
    ) -> Result<Vec<DeviceInfo>, StorageError> {
        let base =
            format!("SELECT {DEVICE_COLUMNS} FROM devices d JOIN users u ON u.id = d.user_id");
        let rows = match districts {
            None => {
                sqlx::query(&format!("{base} ORDER BY d.id"))
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(districts) => {
                // The ids are numbers we hold, not user text: safe to inline.
                let list = districts
                    .iter()
                    .map(|d| d.0.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                sqlx::query(&format!(
                    "{base} WHERE d.user_id IN (SELECT user_id FROM user_districts WHERE district_id IN ({list})) \
                     ORDER BY d.id"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(rows.iter().map(device_info).collect())
    }

    async fn device_info(&self, id: DeviceId) -> Result<Option<DeviceInfo>, StorageError> {
        let row = sqlx::query(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(device_info))
    }

    async fn revoke_device(&self, id: DeviceId) -> Result<(), StorageError> {
        let done = sqlx::query(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) WHERE id = ?",
        )
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound(format!("device {id}")));
        }
        Ok(())
    }

    async fn revoke_devices(
        &self,
        user: UserId,
        keep: Option<DeviceId>,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE devices SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
             WHERE user_id = ? AND id IS NOT ? AND revoked_at IS NULL",
        )
        .bind(user.0)
        .bind(keep.map(|k| k.0))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Storage as _;
    use sqlx::Connection as _;

    async fn storage_with_districts() -> SqliteStorage {
        let storage = SqliteStorage::connect("sqlite::memory:").await.unwrap();
        storage.ensure_districts(&["乗附", "片岡"]).await.unwrap();
        storage
    }

    fn volunteer<'a>(login_id: &'a str, districts: &'a [DistrictId]) -> NewUser<'a> {
        NewUser {
            login_id,
            display_name: "高崎 太郎",
            role: Role::Volunteer,
            password_hash: "$argon2id$x",
            districts,
        }
    }

    #[tokio::test]
    async fn users_are_found_by_login_id_whatever_its_case() {
        let storage = storage_with_districts().await;
        let id = storage
            .create_user(volunteer("Taro.V", &[DistrictId(1)]))
            .await
            .unwrap();
        let found = storage.find_user_by_login("taro.v").await.unwrap().unwrap();
        assert_eq!(found.id, id);
        assert_eq!(found.districts, vec![DistrictId(1)]);
        assert!(found.must_change_password);
        let again = storage.create_user(volunteer("TARO.v", &[])).await;
        assert!(matches!(again, Err(StorageError::AlreadyExists(_))));
    }

    #[tokio::test]
    async fn an_unknown_district_refuses_the_whole_user() {
        let storage = storage_with_districts().await;
        let result = storage
            .create_user(volunteer("hanako", &[DistrictId(99)]))
            .await;
        assert!(matches!(result, Err(StorageError::NotFound(_))));
        assert!(
            storage
                .find_user_by_login("hanako")
                .await
                .unwrap()
                .is_none(),
            "nothing half-made"
        );
    }

    #[tokio::test]
    async fn devices_resolve_by_token_hash_list_by_district_and_revoke() {
        let storage = storage_with_districts().await;
        let taro = storage
            .create_user(volunteer("taro", &[DistrictId(1)]))
            .await
            .unwrap();
        let hana = storage
            .create_user(volunteer("hana", &[DistrictId(2)]))
            .await
            .unwrap();
        let phone = storage
            .create_device(taro, "太郎のスマホ", b"hash-1")
            .await
            .unwrap();
        storage
            .create_device(hana, "花子のスマホ", b"hash-2")
            .await
            .unwrap();

        let session = storage
            .device_by_token_hash(b"hash-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (session.device, session.user.id, session.revoked),
            (phone, taro, false)
        );
        assert!(storage
            .device_by_token_hash(b"nope")
            .await
            .unwrap()
            .is_none());

        let in_noritsuke = storage.list_devices(Some(&[DistrictId(1)])).await.unwrap();
        assert_eq!(in_noritsuke.len(), 1);
        assert_eq!(in_noritsuke[0].name, "太郎のスマホ");
        assert!(in_noritsuke[0].last_seen_at.is_some());
        assert_eq!(storage.list_devices(None).await.unwrap().len(), 2);

        storage.revoke_device(phone).await.unwrap();
        storage.revoke_device(phone).await.unwrap();
        assert!(
            storage
                .device_by_token_hash(b"hash-1")
                .await
                .unwrap()
                .unwrap()
                .revoked
        );
        assert!(matches!(
            storage.revoke_device(DeviceId(42)).await,
            Err(StorageError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn a_device_seen_again_within_a_minute_takes_no_write_lock() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/seen.db", dir.path().display());
        let storage = SqliteStorage::connect(&url).await.unwrap();
        storage.ensure_districts(&["乗附"]).await.unwrap();
        let taro = storage
            .create_user(volunteer("taro", &[DistrictId(1)]))
            .await
            .unwrap();
        storage
            .create_device(taro, "スマホ", b"hash-1")
            .await
            .unwrap();
        storage.device_by_token_hash(b"hash-1").await.unwrap();
        let seen = storage.list_devices(None).await.unwrap()[0]
            .last_seen_at
            .clone();
        assert!(seen.is_some());

        // Another writer holds the lock (a push, say): a pull's sign-in check must not wait.
        let mut writer = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut writer)
            .await
            .unwrap();
        let checked = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            storage.device_by_token_hash(b"hash-1"),
        )
        .await
        .expect("answered without waiting for the write lock")
        .unwrap();
        assert!(checked.is_some());
        sqlx::query("ROLLBACK").execute(&mut writer).await.unwrap();
        assert_eq!(
            storage.list_devices(None).await.unwrap()[0].last_seen_at,
            seen
        );
        storage.close().await;
    }

    #[tokio::test]
    async fn roles_and_districts_change() {
        let storage = storage_with_districts().await;
        let id = storage
            .create_user(volunteer("taro", &[DistrictId(1)]))
            .await
            .unwrap();
        storage.set_user_role(id, Role::Coordinator).await.unwrap();
        storage
            .set_user_districts(id, &[DistrictId(1), DistrictId(2)])
            .await
            .unwrap();
        let user = storage.user_by_id(id).await.unwrap().unwrap();
        assert_eq!(user.role, Role::Coordinator);
        assert_eq!(user.districts, vec![DistrictId(1), DistrictId(2)]);
        assert!(matches!(
            storage.set_user_role(UserId(77), Role::Admin).await,
            Err(StorageError::NotFound(_))
        ));
    }
}
