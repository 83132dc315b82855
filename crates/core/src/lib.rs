//! The pure rules of mimamori, shared by the app (wasm) and the server (native).
//!
//! Nothing here performs I/O or reads a clock: callers pass the current time in. That keeps
//! every rule testable natively and identical on both sides of the wire.
//!
//! - `kinds`: every kind of record, one file each (body, validation, merge, parent,
//!   audience, permissions), listed once.
//! - `merge`: the strategies kinds pick from. `sync`: the kind-blind transport rules.
//! - `record`, `hlc`, `validate`, `vocab`: the envelope, the clock, field checks, choices.
//! - `salons`: schedules, holidays, the month's figures, absences. `watch`: the 見守り rules.
//! - `account`, `api`, `calendar`, `districts`, `settings`, `sync_status`: the rest.

pub mod account;
pub mod api;
pub mod calendar;
pub mod directory_csv;
pub mod districts;
pub mod export;
pub mod hlc;
pub mod kinds;
pub mod merge;
pub mod order;
pub mod qr;
pub mod record;
pub mod salons;
pub mod search;
pub mod settings;
pub mod sync;
pub mod sync_status;
pub mod validate;
mod vocab;
pub mod watch;
