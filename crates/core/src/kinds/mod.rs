//! Every kind of record the sync engine carries, listed once (in [`kinds!`] at the bottom),
//! each with one home that says everything about it: its body and validation, how its
//! versions merge (a strategy from `merge`), the record it hangs from, who sees it, and
//! who may create and change it. The transport (`sync`), the server's storage and the
//! phone's store know nothing of any kind; they ask here.
//!
//! A new kind is a file in this folder implementing [`Kind`] and one line in the list. A
//! kind that lacks a piece does not compile, and `tests` below walks every kind of
//! [`RecordKind::ALL`] through validation, the merge laws, the audience and the JSON forms.

mod attendance;
mod district_info;
mod follow_up;
mod resident;
mod resource;
mod salon;
mod salon_member;
mod visit;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::account::Role;
use crate::hlc::Hlc;
use crate::merge::{Conflict, Merge};
use crate::record::{Change, DistrictId, RecordId, UserId};
use crate::sync::RejectCode;
use crate::validate::{Context, Errors};

pub use attendance::{attendance_id, Attendance, AttendancePatch};
pub use district_info::{district_info_id, DistrictInfo, DistrictInfoPatch};
pub use follow_up::{FollowUp, FollowUpPatch};
pub use resident::{
    edit_patch, field_label_ja, normalize_phone, Consent, EmergencyContact, Resident,
    ResidentPatch, ResidentStatus, WatchStatus, DEFAULT_VISIT_INTERVAL_DAYS, TEXT_FIELDS,
};
pub use resource::{Category, Resource, ResourcePatch};
pub use salon::{Content, Salon, SalonPatch};
pub use salon_member::{MemberPatch, SalonMember};
pub use visit::{Action, Need, Outcome, Visit, VisitBody, VisitMethod, VisitPlan, WarningSign};

/// Limits of the kinds' fields, by kind.
pub mod limits {
    pub use super::attendance::limits as attendance;
    pub use super::district_info::limits as district_info;
    pub use super::follow_up::limits as follow_up;
    pub use super::resident::limits as resident;
    pub use super::resource::limits as resource;
    pub use super::salon::limits as salon;
    pub use super::salon_member::limits as salon_member;
    pub use super::visit::limits as visit;
}

/// Who sees a record (domain.md, privacy). Coordinators and volunteers see only their own
/// districts; the city and administrators see no personal records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The district's coordinators and the volunteers it is assigned to ([`Kind::assigned`]).
    Assigned,
    /// The district's coordinators, the volunteers its parent is assigned to, and those it is
    /// assigned to itself ([`Kind::assigned`]: a follow-up's owner).
    ParentAssigned,
    /// Everyone signed in to its district.
    District,
    /// Everyone signed in, whatever their district.
    City,
    /// Anyone, also without signing in.
    Public,
}

/// The signed-in person making a change.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user: UserId,
    pub device: crate::record::DeviceId,
    pub role: Role,
    pub districts: &'a [DistrictId],
}

/// A record on one side of a change, as far as permissions need it: as the server holds it
/// (where it is) or as the change would leave it (where it goes).
#[derive(Debug)]
pub struct Side<'a, S> {
    pub state: &'a S,
    pub created_by: UserId,
    /// `None`: a city-wide record.
    pub district: Option<DistrictId>,
    /// Those the record's parent is assigned to (a salon's organisers, a resident's
    /// volunteers); empty without a live parent.
    pub parent_holders: &'a [UserId],
}

impl<S> Clone for Side<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Side<'_, S> {}

/// The state a kind's merge keeps.
pub type StateOf<K> = <<K as Kind>::Merge as Merge<<K as Kind>::Body>>::State;

/// Everything about one kind of record.
pub trait Kind: 'static {
    /// What a change to this kind carries.
    type Body: KindBody + Clone + PartialEq + Eq + fmt::Debug + Serialize + DeserializeOwned;
    /// How its versions combine (see `merge`).
    type Merge: Merge<Self::Body>;
    const KIND: RecordKind;
    const AUDIENCE: Audience;
    /// `false`: a record may belong to no district (city-wide).
    const NEEDS_DISTRICT: bool;
    /// What people call a record of this kind (「訪問」).
    const LABEL_JA: &'static str;

    /// A change in a few words, for lists of what waits or was refused and for the file of
    /// unsent records (「元気・面会「お元気でした」」).
    fn describe_ja(body: &Self::Body) -> String;

    /// The kind of record this one hangs from, if it has a parent: lets a state say it has
    /// none without reading itself (a pushed visit asks it of its resident several times).
    const PARENT_KIND: Option<RecordKind> = None;

    /// The record this one hangs from (it lives in that record's district, and the author
    /// must be able to see it), of [`Kind::PARENT_KIND`].
    fn parent(body: &Self::Body) -> Option<(RecordKind, RecordId)>;

    /// Whether a record may move to another parent (a visit logged under the wrong
    /// resident): then the move needs the right to change it where it is and where it goes.
    /// `false`: its parent is set when it is made and never changes (a session's attendance,
    /// a salon's member).
    const MOVES: bool = false;

    /// Checks of the fields a change carries, the same on the phone (before saving) and the
    /// server (before accepting): lengths, characters, the records it names. Deletions are
    /// checked too. What a whole record must be is [`Kind::validate_record`]'s.
    fn validate(body: &Self::Body, change: &Change, world: &dyn Context, errors: &mut Errors);

    /// Checks of the record as the change leaves it (`record`: its current values), never of
    /// the change's fields alone: what every record of the kind must have when it is made
    /// (`creating`: nothing was held under its id, whatever the change's `base` says), and
    /// rules that join its fields or other records (a session its salon's schedule holds,
    /// ticks of the salon's own members, a moved time that ends after it starts).
    fn validate_record(
        record: &Self::Body,
        change: &Change,
        creating: bool,
        world: &dyn Context,
        errors: &mut Errors,
    );

    /// Whether `actor` may change a record that stands as `side` says. Asked of the record
    /// as held (where it is) and of the record the change would make (where it goes): a
    /// change is permitted only where both answer yes, so no change takes a record out of
    /// someone else's reach or leaves one the actor could not have made.
    fn may_change(actor: Actor<'_>, side: Side<'_, StateOf<Self>>) -> bool;

    /// What a change may not do even to a record the actor may change, on both sides (a
    /// volunteer never assigns; each counts only for themselves; an organiser changes only
    /// a salon's dates). `before` is `None` for a creation.
    fn permit_change(
        _actor: Actor<'_>,
        _before: Option<Side<'_, StateOf<Self>>>,
        _change: &Change,
        _body: &Self::Body,
    ) -> Result<(), RejectCode> {
        Ok(())
    }

    /// The volunteers a record is assigned to (for [`Audience::Assigned`] and
    /// [`Audience::ParentAssigned`]).
    fn assigned(_state: &StateOf<Self>) -> Vec<UserId> {
        Vec::new()
    }

    /// The id a kind's record must have in a district, for kinds of one record per district.
    fn fixed_id(_district: DistrictId) -> Option<RecordId> {
        None
    }

    /// Other records it names besides its parent (a member's 見守り resident), which the
    /// server must know to check them.
    fn references(_body: &Self::Body) -> Vec<RecordId> {
        Vec::new()
    }

    /// The id a record must have given what it says, for kinds of one record per thing
    /// (a session's attendance), so that phones making it offline make the same record.
    fn derived_id(_body: &Self::Body) -> Option<RecordId> {
        None
    }

    /// When what the record tells of happened (a visit's time), for kinds whose latest one
    /// under a parent is worth knowing at a glance (a resident's last visit).
    fn occurred_at(_body: &Self::Body) -> Option<i64> {
        None
    }

    /// A plausible body for tests and the simulation, chosen by `n`, referring to `parent`
    /// where the kind has one. Deterministic.
    fn sample(n: u64, author: UserId, now_ms: i64, parent: Option<RecordId>) -> Self::Body;
}

/// A kind's body inside [`Body`], the enum every change carries.
pub trait KindBody: Sized {
    fn from_body(body: &Body) -> Option<&Self>;
    fn into_body(self) -> Body;
}

/// A stored state of a kind that differs from the change's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindMismatch;

/// Generates, from the list of kinds: [`RecordKind`], [`Body`], [`State`] and the functions
/// that send each question to the kind it concerns.
macro_rules! kinds {
    ($($variant:ident($kind:ty, $body:ty) = $code:literal,)+) => {
        /// The kinds of record. Stable strings: stored and sent.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        pub enum RecordKind {
            $(#[serde(rename = $code)] $variant,)+
        }

        impl RecordKind {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }

            /// The kind named `code`, if this build knows it.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)+ _ => None }
            }

            pub fn audience(self) -> Audience {
                match self { $(Self::$variant => <$kind as Kind>::AUDIENCE,)+ }
            }

            pub fn needs_district(self) -> bool {
                match self { $(Self::$variant => <$kind as Kind>::NEEDS_DISTRICT,)+ }
            }

            /// The kind its records hang from ([`Kind::PARENT_KIND`]).
            pub fn parent_kind(self) -> Option<RecordKind> {
                match self { $(Self::$variant => <$kind as Kind>::PARENT_KIND,)+ }
            }

            /// Whether its records may move to another parent ([`Kind::MOVES`]).
            pub fn moves(self) -> bool {
                match self { $(Self::$variant => <$kind as Kind>::MOVES,)+ }
            }

            /// The id a record of this kind must have in `district`, if the kind fixes it.
            pub fn fixed_id(self, district: DistrictId) -> Option<RecordId> {
                match self { $(Self::$variant => <$kind as Kind>::fixed_id(district),)+ }
            }

            pub fn strategy(self) -> crate::merge::Strategy {
                match self {
                    $(Self::$variant => <<$kind as Kind>::Merge as Merge<$body>>::STRATEGY,)+
                }
            }

            /// A sample body of this kind (tests and the simulation).
            pub fn sample(self, n: u64, author: UserId, now_ms: i64, parent: Option<RecordId>) -> Body {
                match self {
                    $(Self::$variant => <$kind as Kind>::sample(n, author, now_ms, parent).into_body(),)+
                }
            }
        }

        /// What a change says about its record: `{"kind": "<code>", "data": {…}}`.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(tag = "kind", content = "data")]
        pub enum Body {
            $(#[serde(rename = $code)] $variant($body),)+
        }

        /// Read with `kind` first (as every change is written), straight into the kind's
        /// body: serde's derived form buffers every body in its own `Content` type, and that
        /// buffering, instantiated for every deserializer the app uses, was the largest
        /// single spend of its wasm. A body read from a `serde_json::Value` (whose keys are
        /// sorted, `data` first) is buffered as that `Value`, which the app holds anyway.
        impl<'de> Deserialize<'de> for Body {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct BodyVisitor;

                impl<'de> serde::de::Visitor<'de> for BodyVisitor {
                    type Value = Body;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a body: {\"kind\": …, \"data\": …}")
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Body, A::Error> {
                        use serde::de::Error as _;
                        let mut kind: Option<RecordKind> = None;
                        let mut buffered: Option<Value> = None;
                        let mut body: Option<Body> = None;
                        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                            match (key.as_ref(), kind) {
                                ("kind", None) => {
                                    let read: RecordKind = map.next_value()?;
                                    kind = Some(read);
                                    if let Some(data) = buffered.take() {
                                        body = Some(Body::from_data(read, data).map_err(A::Error::custom)?);
                                    }
                                }
                                ("data", Some(read)) if body.is_none() => {
                                    // Through a `Value` whatever the format: each kind's body
                                    // is then compiled for one deserializer only.
                                    let data: Value = map.next_value()?;
                                    body = Some(Body::from_data(read, data).map_err(A::Error::custom)?);
                                }
                                ("data", None) if buffered.is_none() => {
                                    buffered = Some(map.next_value()?);
                                }
                                (other, _) => {
                                    return Err(A::Error::custom(format!("unexpected or repeated field `{other}` in a body")));
                                }
                            }
                        }
                        body.ok_or_else(|| A::Error::missing_field(if kind.is_some() { "data" } else { "kind" }))
                    }
                }

                deserializer.deserialize_map(BodyVisitor)
            }
        }

        $(
            impl KindBody for $body {
                fn from_body(body: &Body) -> Option<&Self> {
                    #[allow(irrefutable_let_patterns)]
                    if let Body::$variant(inner) = body { Some(inner) } else { None }
                }
                fn into_body(self) -> Body {
                    Body::$variant(self)
                }
            }
        )+

        impl Body {
            /// A body of `kind` from its `data` read earlier.
            fn from_data(kind: RecordKind, data: Value) -> Result<Self, serde_json::Error> {
                Ok(match kind {
                    $(RecordKind::$variant => Body::$variant(serde_json::from_value(data)?),)+
                })
            }

            pub fn kind(&self) -> RecordKind {
                match self { $(Self::$variant(_) => RecordKind::$variant,)+ }
            }

            pub fn parent(&self) -> Option<(RecordKind, RecordId)> {
                match self { $(Self::$variant(body) => <$kind as Kind>::parent(body),)+ }
            }

            /// What people call its kind ([`Kind::LABEL_JA`]).
            pub fn label_ja(&self) -> &'static str {
                match self { $(Self::$variant(_) => <$kind as Kind>::LABEL_JA,)+ }
            }

            /// The change in a few words ([`Kind::describe_ja`]).
            pub fn describe_ja(&self) -> String {
                match self { $(Self::$variant(body) => <$kind as Kind>::describe_ja(body),)+ }
            }

            /// The records it names besides its parent ([`Kind::references`]).
            pub fn references(&self) -> Vec<RecordId> {
                match self { $(Self::$variant(body) => <$kind as Kind>::references(body),)+ }
            }

            /// The id its record must have, if its kind derives it ([`Kind::derived_id`]).
            pub fn derived_id(&self) -> Option<RecordId> {
                match self { $(Self::$variant(body) => <$kind as Kind>::derived_id(body),)+ }
            }

            /// When what it tells of happened ([`Kind::occurred_at`]).
            pub fn occurred_at(&self) -> Option<i64> {
                match self { $(Self::$variant(body) => <$kind as Kind>::occurred_at(body),)+ }
            }

            /// The kind's own field checks.
            pub fn validate(&self, change: &Change, world: &dyn Context, errors: &mut Errors) {
                match self {
                    $(Self::$variant(body) => <$kind as Kind>::validate(body, change, world, errors),)+
                }
            }
        }

        /// A record's merged state, as its kind's merge keeps it.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum State {
            $($variant(StateOf<$kind>),)+
        }

        impl State {
            pub fn kind(&self) -> RecordKind {
                match self { $(Self::$variant(_) => RecordKind::$variant,)+ }
            }

            /// Reads the JSON the server stores and sends for a record of `kind`.
            pub fn from_json(kind: RecordKind, value: Value) -> Result<Self, serde_json::Error> {
                Ok(match kind {
                    $(RecordKind::$variant => Self::$variant(serde_json::from_value(value)?),)+
                })
            }

            pub fn to_json(&self) -> Value {
                match self {
                    $(Self::$variant(state) => serde_json::to_value(state).unwrap_or(Value::Null),)+
                }
            }

            /// The state's JSON (as [`State::to_json`] gives it), written straight to `out`:
            /// a push writes thousands, and building each as a `Value` first costs twice.
            pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
                match self {
                    $(Self::$variant(state) => serde_json::to_writer(out, state),)+
                }
            }

            pub fn is_deleted(&self) -> bool {
                match self {
                    $(Self::$variant(state) => <<$kind as Kind>::Merge as Merge<$body>>::is_deleted(state),)+
                }
            }

            pub fn newest_stamp(&self) -> Option<Hlc> {
                match self {
                    $(Self::$variant(state) => <<$kind as Kind>::Merge as Merge<$body>>::newest_stamp(state),)+
                }
            }

            /// The current values as a change body.
            pub fn current(&self) -> Option<Body> {
                match self {
                    $(Self::$variant(state) => <<$kind as Kind>::Merge as Merge<$body>>::current(state).map(KindBody::into_body),)+
                }
            }

            /// The record this one hangs from, as the state says (never the change that
            /// arrived last).
            pub fn parent(&self) -> Option<(RecordKind, RecordId)> {
                self.kind().parent_kind()?;
                self.current().and_then(|body| body.parent())
            }

            /// Those it is assigned to (see [`Kind::assigned`]); nobody once it is deleted,
            /// so that what hangs from it leaves their phones.
            pub fn assigned(&self) -> Vec<UserId> {
                if self.is_deleted() {
                    return Vec::new();
                }
                match self { $(Self::$variant(state) => <$kind as Kind>::assigned(state),)+ }
            }

            /// What `change` does to `state` (`None`: a new record): the new state and the
            /// conflicts it kept. A state of another kind is a mismatch.
            pub fn apply(
                state: Option<&Self>,
                change: &Change,
            ) -> Result<(Self, Vec<Conflict>), KindMismatch> {
                match &change.body {
                    $(Body::$variant(body) => {
                        let mut merged = match state {
                            None => None,
                            Some(Self::$variant(state)) => Some(state.clone()),
                            #[allow(unreachable_patterns)]
                            Some(_) => return Err(KindMismatch),
                        };
                        let conflicts = <<$kind as Kind>::Merge as Merge<$body>>::apply(&mut merged, change, body);
                        let merged = merged.ok_or(KindMismatch)?;
                        Ok((Self::$variant(merged), conflicts))
                    })+
                }
            }

            /// Whether `actor` may make `change`, which turns the record held as `before`
            /// (`None`: a creation) into `after`: the kind's [`Kind::may_change`] on both
            /// sides, then what the change itself may do ([`Kind::permit_change`]).
            pub fn permit(
                actor: Actor<'_>,
                before: Option<Side<'_, Self>>,
                after: Side<'_, Self>,
                change: &Change,
            ) -> Result<(), RejectCode> {
                match (&change.body, after.state) {
                    $((Body::$variant(body), Self::$variant(after_state)) => {
                        let before = match before {
                            None => None,
                            Some(side) => match side.state {
                                Self::$variant(state) => Some(side.with(state)),
                                #[allow(unreachable_patterns)]
                                _ => return Err(RejectCode::IdTaken),
                            },
                        };
                        let after = after.with(after_state);
                        let allowed = before.is_none_or(|b| <$kind as Kind>::may_change(actor, b))
                            && <$kind as Kind>::may_change(actor, after);
                        if !allowed {
                            return Err(RejectCode::NotAllowed);
                        }
                        <$kind as Kind>::permit_change(actor, before, change, body)
                    })+
                    #[allow(unreachable_patterns)]
                    _ => Err(RejectCode::IdTaken),
                }
            }

            /// Whether `actor` may change a record standing as `side` ([`Kind::may_change`]).
            pub fn may_change(actor: Actor<'_>, side: Side<'_, Self>) -> bool {
                match side.state {
                    $(Self::$variant(state) => <$kind as Kind>::may_change(actor, side.with(state)),)+
                }
            }

            /// The checks of the record as a change leaves it ([`Kind::validate_record`]),
            /// with the id it must have where its kind fixes or derives one.
            pub fn validate_record(
                &self,
                change: &Change,
                creating: bool,
                world: &dyn Context,
                errors: &mut Errors,
            ) {
                let Some(current) = self.current() else {
                    errors.add("id", crate::validate::Problem::Required);
                    return;
                };
                let must_be = change
                    .district_id
                    .and_then(|d| self.kind().fixed_id(d))
                    .or_else(|| current.derived_id());
                if must_be.is_some_and(|id| id != change.id) {
                    errors.add("id", crate::validate::Problem::OutOfRange);
                }
                match &current {
                    $(Body::$variant(record) => <$kind as Kind>::validate_record(record, change, creating, world, errors),)+
                }
            }
        }
    };
}

impl<'a, S> Side<'a, S> {
    /// The same side, its state seen as another type (a kind's own).
    pub fn with<T>(self, state: &'a T) -> Side<'a, T> {
        Side {
            state,
            created_by: self.created_by,
            district: self.district,
            parent_holders: self.parent_holders,
        }
    }
}

kinds! {
    Resident(Resident, ResidentPatch) = "resident",
    Visit(Visit, VisitBody) = "visit",
    FollowUp(FollowUp, FollowUpPatch) = "follow_up",
    DistrictInfo(DistrictInfo, DistrictInfoPatch) = "district_info",
    Salon(Salon, SalonPatch) = "salon",
    SalonMember(SalonMember, MemberPatch) = "salon_member",
    Attendance(Attendance, AttendancePatch) = "attendance",
    Resource(Resource, ResourcePatch) = "resource",
}

/// The volunteers who see a record by assignment: its own for [`Audience::Assigned`], its
/// parent's and its own for [`Audience::ParentAssigned`], nobody for the others (whom the
/// district or the city decides).
pub fn assigned_audience(audience: Audience, own: &[UserId], parent: &[UserId]) -> Vec<UserId> {
    match audience {
        Audience::Assigned => own.to_vec(),
        Audience::ParentAssigned => {
            let mut all: Vec<UserId> = parent.iter().chain(own).copied().collect();
            all.sort_unstable();
            all.dedup();
            all
        }
        Audience::District | Audience::City | Audience::Public => Vec::new(),
    }
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
