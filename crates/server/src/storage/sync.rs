//! The sync half of storage: applying pushed changes and paging pulls.

use async_trait::async_trait;
use mimamori_core::account::Role;
use mimamori_core::record::{Change, DeviceId, DistrictId, UserId};
use mimamori_core::sync::{ItemResult, PullResponse};

use super::StorageError;

/// The signed-in device a push or pull is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCaller {
    pub user: UserId,
    pub device: DeviceId,
    pub role: Role,
    pub districts: Vec<DistrictId>,
}

#[async_trait]
pub trait SyncStore: Send + Sync {
    /// Applies a batch in one transaction. Each change gets its own result, in order; a
    /// refused change never stops the others, and a change applied before is accepted
    /// again without being applied twice.
    async fn push(
        &self,
        caller: &SyncCaller,
        changes: &[Change],
        now_ms: i64,
    ) -> Result<Vec<ItemResult>, StorageError>;

    /// Records changed after `cursor` that the caller may see, oldest first.
    async fn pull(
        &self,
        caller: &SyncCaller,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, StorageError>;
}
