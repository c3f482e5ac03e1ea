-- Notification subscriptions (one current row per technician and method) and settings.

CREATE TABLE subscriptions (
    technician_id BIGINT NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    method        TEXT NOT NULL,
    contact       TEXT NOT NULL,
    state         TEXT NOT NULL,
    token_hash    TEXT,
    requested_at  BIGINT NOT NULL,
    expires_at    BIGINT,
    confirmed_at  BIGINT,
    PRIMARY KEY (technician_id, method)
);
CREATE INDEX subscriptions_state ON subscriptions (state);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
