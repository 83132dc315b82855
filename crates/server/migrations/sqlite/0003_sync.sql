-- Every synced record's current state, stamped with the server sequence number of its last
-- accepted change: pulling "after cursor N" is a range scan on seq.
CREATE TABLE records (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('resident', 'visit')),
    district_id INTEGER NOT NULL REFERENCES districts (id),
    created_by  INTEGER NOT NULL REFERENCES users (id),
    -- Visits: the resident they belong to (their visibility follows the resident's).
    resident_id TEXT,
    -- Residents: JSON array of assigned volunteers' ids.
    assigned    TEXT NOT NULL DEFAULT '[]',
    deleted     INTEGER NOT NULL DEFAULT 0,
    -- JSON: a resident's merged LwwRecord, a visit's newest Change.
    state       TEXT NOT NULL,
    seq         INTEGER NOT NULL UNIQUE
);

CREATE INDEX records_by_district_seq ON records (district_id, seq);
CREATE INDEX visits_by_resident ON records (resident_id) WHERE resident_id IS NOT NULL;

-- Each accepted change, once: a re-sent (record, stamp) is recognised and not applied again.
CREATE TABLE applied_changes (
    record_id   TEXT NOT NULL,
    stamp       TEXT NOT NULL,
    device_id   INTEGER NOT NULL REFERENCES devices (id),
    seq         INTEGER NOT NULL,
    received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (record_id, stamp)
);

-- The server cursor: one counter, advanced inside each push transaction.
CREATE TABLE sync_sequence (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO sync_sequence (id, value) VALUES (1, 0);
