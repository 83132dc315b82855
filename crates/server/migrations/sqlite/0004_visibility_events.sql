-- When who may see a record changes (a resident reassigned, a user's districts or role
-- changed), the user gets an event at a new sequence number: their next pull sends the
-- record again if they may now see it, or a tombstone that removes it from their phone.
CREATE TABLE visibility_events (
    seq       INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    record_id TEXT NOT NULL REFERENCES records (id)
);

CREATE INDEX visibility_events_by_user ON visibility_events (user_id, seq);
