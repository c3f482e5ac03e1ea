-- Notifications and their delivery (SPEC §4, §8).
--
-- A notification is written in the same transaction as its cause (a confirmation request, a
-- test, an API call); each of its deliveries goes to one engineer over one channel and is the
-- outbox row the workers claim. `idempotency_key` names (event, engineer, channel): a retry,
-- a restart or a second instance never makes a second row, and providers that accept a key
-- are given it.

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    text            TEXT NOT NULL,
    api_key_id      INTEGER REFERENCES api_keys (id),
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX notifications_idempotency ON notifications (api_key_id, idempotency_key);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    technician_id   INTEGER REFERENCES technicians (id) ON DELETE SET NULL,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_answer     TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX deliveries_idempotency ON deliveries (idempotency_key);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_technician ON deliveries (technician_id, channel, created_at);
CREATE INDEX deliveries_notification ON deliveries (notification_id);

-- Every attempt, with what the provider answered.
CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    worker      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    answer      TEXT NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id);

-- What an unconfigured provider would have sent: the Message log.
CREATE TABLE captured_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL,
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX captured_messages_delivery ON captured_messages (delivery_id);
CREATE INDEX captured_messages_created ON captured_messages (created_at);

-- Per-robot rate limits that hold across instances: a row per robot that a sender locks by
-- updating it, and the sends of the last minute.
CREATE TABLE robot_windows (
    robot_key  TEXT PRIMARY KEY,
    touched_at INTEGER NOT NULL
);
CREATE TABLE robot_sends (
    robot_key TEXT NOT NULL,
    sent_at   INTEGER NOT NULL
);
CREATE INDEX robot_sends_key ON robot_sends (robot_key, sent_at);

-- What an API request named but could not send, and why (the API answers these too).
CREATE TABLE skipped_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    technician_id   INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    reason          TEXT NOT NULL
);
CREATE INDEX skipped_deliveries_notification ON skipped_deliveries (notification_id);
