//! The sync half of storage: applying pushed changes and paging pulls.

use async_trait::async_trait;
use mimamori_core::account::Role;
use mimamori_core::kinds::State;
use mimamori_core::record::{Change, DeviceId, DistrictId, RecordId, RecordKind, UserId};
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

/// Which shared records to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedScope {
    District(DistrictId),
    Record(RecordId),
    /// Every district's and the city-wide ones.
    Everywhere,
}

/// A live record everyone may see, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedRecord {
    pub id: RecordId,
    pub district: Option<DistrictId>,
    pub state: State,
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

    /// The live records of `kind` in `scope`, for a kind everyone may see (its audience is
    /// the city or the public: salons); for any other kind, none, whatever is asked:
    /// personal records never leave through here.
    async fn shared_records(
        &self,
        kind: RecordKind,
        scope: SharedScope,
    ) -> Result<Vec<SharedRecord>, StorageError>;

    /// Records changed after `cursor` that the caller may see, oldest first.
    async fn pull(
        &self,
        caller: &SyncCaller,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, StorageError>;
}
