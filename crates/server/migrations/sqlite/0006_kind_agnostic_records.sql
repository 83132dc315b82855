-- Records become kind-agnostic: a kind is checked in Rust (mimamori_core::kinds), not by a
-- CHECK that would fail a whole push batch for a kind added later; a record's parent is a
-- general reference (a visit's resident, a session's salon); a city-wide record has no
-- district. Every row is kept.
--
-- SQLite cannot drop a CHECK in place, so the table is rebuilt. Migrations run in a
-- transaction, where foreign keys cannot be switched off, so the one table that refers to
-- `records` (visibility_events) is set aside first and rebuilt after, with its reference.

CREATE TABLE visibility_events_kept AS SELECT seq, user_id, record_id FROM visibility_events;
DROP TABLE visibility_events;

CREATE TABLE records_rebuilt (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    -- NULL: a city-wide record (where its kind allows one).
    district_id INTEGER REFERENCES districts (id),
    created_by  INTEGER NOT NULL REFERENCES users (id),
    -- The record this one hangs from, as its newest state says (a visit's resident).
    parent_id   TEXT,
    -- JSON array of the volunteers it is assigned to (kinds shown by assignment).
    assigned    TEXT NOT NULL DEFAULT '[]',
    deleted     INTEGER NOT NULL DEFAULT 0,
    -- JSON: the state the kind's merge keeps.
    state       TEXT NOT NULL,
    seq         INTEGER NOT NULL UNIQUE
);

INSERT INTO records_rebuilt (id, kind, district_id, created_by, parent_id, assigned, deleted, state, seq)
SELECT id, kind, district_id, created_by, resident_id, assigned, deleted, state, seq FROM records;

DROP TABLE records;
ALTER TABLE records_rebuilt RENAME TO records;

CREATE INDEX records_by_district_seq ON records (district_id, seq);
CREATE INDEX records_by_parent ON records (parent_id) WHERE parent_id IS NOT NULL;

-- As in 0004.
CREATE TABLE visibility_events (
    seq       INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    record_id TEXT NOT NULL REFERENCES records (id)
);
INSERT INTO visibility_events (seq, user_id, record_id)
SELECT seq, user_id, record_id FROM visibility_events_kept;
DROP TABLE visibility_events_kept;

CREATE INDEX visibility_events_by_user ON visibility_events (user_id, seq);
