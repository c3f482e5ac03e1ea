-- Notification subscriptions (one current row per technician and method) and settings.

CREATE TABLE subscriptions (
    technician_id INTEGER NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    method        TEXT NOT NULL,
    contact       TEXT NOT NULL,
    state         TEXT NOT NULL,
    token_hash    TEXT,
    requested_at  INTEGER NOT NULL,
    expires_at    INTEGER,
    confirmed_at  INTEGER,
    PRIMARY KEY (technician_id, method)
);
CREATE INDEX subscriptions_state ON subscriptions (state);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
