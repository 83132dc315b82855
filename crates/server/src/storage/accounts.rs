//! The accounts half of storage: users, their districts, their devices.

use async_trait::async_trait;
use mimamori_core::account::Role;
use mimamori_core::record::{DeviceId, DistrictId, UserId};

use super::StorageError;

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub login_id: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    pub districts: &'a [DistrictId],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccount {
    pub id: UserId,
    pub login_id: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub must_change_password: bool,
    pub districts: Vec<DistrictId>,
}

pub use mimamori_core::api::DeviceInfo;

/// What a bearer token resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSession {
    pub device: DeviceId,
    pub revoked: bool,
    pub user: UserAccount,
}

#[async_trait]
pub trait Accounts: Send + Sync {
    /// `AlreadyExists` when the login id is taken (ignoring case), `NotFound` for an
    /// unknown district.
    async fn create_user(&self, user: NewUser<'_>) -> Result<UserId, StorageError>;

    async fn find_user_by_login(&self, login_id: &str)
        -> Result<Option<UserAccount>, StorageError>;

    async fn user_by_id(&self, id: UserId) -> Result<Option<UserAccount>, StorageError>;

    /// `NotFound` for an unknown user.
    async fn set_user_role(&self, id: UserId, role: Role) -> Result<(), StorageError>;

    /// Replaces the user's districts. `NotFound` for an unknown user or district.
    async fn set_user_districts(
        &self,
        id: UserId,
        districts: &[DistrictId],
    ) -> Result<(), StorageError>;

    async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        temporary: bool,
    ) -> Result<(), StorageError>;

    async fn create_device(
        &self,
        user: UserId,
        name: &str,
        token_hash: &[u8],
    ) -> Result<DeviceId, StorageError>;

    /// The device and user a token hash belongs to; also notes that the device was seen
    /// (at most once a minute: a pull must not take the database's write lock).
    async fn device_by_token_hash(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<DeviceSession>, StorageError>;

    /// The people of a district (volunteers and coordinators), by name.
    async fn people_in_district(
        &self,
        district: DistrictId,
    ) -> Result<Vec<mimamori_core::api::Person>, StorageError>;

    /// Devices of users in any of `districts`, or every device when `None`.
    async fn list_devices(
        &self,
        districts: Option<&[DistrictId]>,
    ) -> Result<Vec<DeviceInfo>, StorageError>;

    async fn device_info(&self, id: DeviceId) -> Result<Option<DeviceInfo>, StorageError>;

    /// Revokes a device; `NotFound` when there is none. Revoking twice is not an error.
    async fn revoke_device(&self, id: DeviceId) -> Result<(), StorageError>;

    /// Revokes every device of `user` but `keep` (after a password change: whoever signed
    /// in with the old password, say the printed temporary one, is signed out; after a
    /// reset, everyone).
    async fn revoke_devices(
        &self,
        user: UserId,
        keep: Option<DeviceId>,
    ) -> Result<(), StorageError>;
}
