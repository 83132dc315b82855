//! Sync, kind-blind: the protocol, who sees what, what a pushed change does on the server,
//! and the phone's side as pure rules. Each kind's meaning comes from `kinds`.

pub mod apply;
pub mod protocol;
pub mod replica;
pub mod visibility;

pub use protocol::*;
pub use visibility::{may_see, pull_scope, Visibility};
