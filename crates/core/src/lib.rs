//! The pure rules of mimamori, shared by the app (wasm) and the server (native).
//!
//! Nothing here performs I/O or reads a clock: callers pass the current time in. That keeps
//! every rule testable natively and identical on both sides of the wire.

pub mod account;
pub mod api;
pub mod apply;
pub mod calendar;
pub mod districts;
pub mod hlc;
pub mod record;
pub mod replica;
pub mod resident;
pub mod settings;
pub mod sync;
pub mod sync_status;
pub mod validate;
pub mod visit;
