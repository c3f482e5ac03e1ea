-- Reachability drills: an SDAdmin sends every engineer of a site or group a test message on
-- each channel that reaches them, with a link that acknowledges it (one tap, no sign-in,
-- once, within 24 hours); the drill shows who acknowledged where and how fast.
CREATE TABLE drills (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    place_kind  TEXT NOT NULL,
    place_id    INTEGER NOT NULL,
    place_name  TEXT NOT NULL,
    started_by  TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL
);
CREATE INDEX drills_place ON drills (place_kind, place_id, started_at);

-- One message of a drill: the engineer (their name kept as it was), the channel, the hash of
-- its acknowledgement token, its delivery, and when it was acknowledged.
CREATE TABLE drill_targets (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    drill_id      INTEGER NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
    technician_id INTEGER REFERENCES technicians (id) ON DELETE SET NULL,
    engineer      TEXT NOT NULL,
    channel       TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    delivery_key  TEXT NOT NULL,
    acked_at      INTEGER,
    ack_addr      TEXT
);
CREATE UNIQUE INDEX drill_targets_token ON drill_targets (token_hash);
CREATE INDEX drill_targets_drill ON drill_targets (drill_id, engineer);
