-- What delivery learned about each engineer's contact on a channel. A provider refusing the
-- contact itself (an invalid number, an unknown mailbox, a robot whose key is gone, a chat
-- not found) marks it failing at once; transient failures do after a day of them; the next
-- success clears it. A changed contact starts with no verdict.
CREATE TABLE contact_health (
    technician_id   INTEGER NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    failing         INTEGER NOT NULL DEFAULT 0,
    failing_since   INTEGER,
    troubled_since  INTEGER,
    failures        INTEGER NOT NULL DEFAULT 0,
    answer          TEXT NOT NULL DEFAULT '',
    last_failure_at INTEGER,
    last_success_at INTEGER,
    PRIMARY KEY (technician_id, channel)
);
CREATE INDEX contact_health_failing ON contact_health (failing, technician_id);

-- The reachability view counts each group's engineers.
CREATE INDEX technician_groups_group ON technician_groups (group_id, technician_id);
