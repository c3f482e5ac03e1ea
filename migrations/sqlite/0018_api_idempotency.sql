-- The first answer to a POST that carried an Idempotency-Key, per API key, kept a day: a
-- repeat of the same request gets it again instead of doing the work twice. A row without a
-- status is a request still being answered.
CREATE TABLE api_idempotency (
    key_id          INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    status          INTEGER,
    location        TEXT,
    etag            TEXT,
    body            TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency (created_at);
