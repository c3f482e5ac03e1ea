-- The consent ledger: every step of a subscription (requested, confirmed, cancelled when its
-- contact changed, STOP and START replies), who took it, how, from which address and when,
-- for an auditor. Rows outlive the engineer: the ledger keeps the name as it was.
CREATE TABLE consent_events (
    id            BIGSERIAL PRIMARY KEY,
    technician_id BIGINT,
    engineer      TEXT NOT NULL,
    method        TEXT NOT NULL,
    address       TEXT NOT NULL,
    event         TEXT NOT NULL,
    how           TEXT NOT NULL,
    actor         TEXT NOT NULL,
    source_addr   TEXT,
    at            BIGINT NOT NULL
);
CREATE INDEX consent_events_technician ON consent_events (technician_id, at);
CREATE INDEX consent_events_address ON consent_events (address, at);

-- Numbers that replied STOP: their SMS and voice subscriptions were cancelled, and none is
-- requested again until the number replies START.
CREATE TABLE sms_opt_outs (
    number TEXT PRIMARY KEY,
    at     BIGINT NOT NULL
);
