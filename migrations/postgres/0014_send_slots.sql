-- The one limiter of confirmations and test messages (service::send_limits): each such
-- delivery takes a slot at the time it may go, per engineer and channel, per recipient and,
-- for SMS and voice, within the whole server's hourly budget (held = the budget set it).
CREATE TABLE send_slots (
    id BIGSERIAL PRIMARY KEY,
    kind           TEXT NOT NULL,
    channel        TEXT NOT NULL,
    technician_key TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    at             BIGINT NOT NULL,
    held           BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX send_slots_recipient ON send_slots (recipient, at);
CREATE INDEX send_slots_technician ON send_slots (technician_key, channel, at);
CREATE INDEX send_slots_channel ON send_slots (channel, at);
