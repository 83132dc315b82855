-- People, the districts they belong to, and the devices they signed in on.
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    login_id             TEXT NOT NULL UNIQUE COLLATE NOCASE
                         CHECK (length(login_id) BETWEEN 3 AND 64),
    display_name         TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role                 TEXT NOT NULL CHECK (role IN ('volunteer', 'coordinator', 'city', 'admin')),
    -- argon2id PHC string; never the password.
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE user_districts (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    PRIMARY KEY (user_id, district_id)
);

CREATE TABLE devices (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- SHA-256 of the bearer token: a stolen database holds no usable token.
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_seen_at TEXT,
    revoked_at   TEXT
);

CREATE INDEX devices_by_user ON devices (user_id);
