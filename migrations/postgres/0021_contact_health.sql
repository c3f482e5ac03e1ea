-- What delivery learned about each engineer's contact on a channel. A provider refusing the
-- contact itself (an invalid number, an unknown mailbox, a robot whose key is gone, a chat
-- not found) marks it failing at once; transient failures do after a day of them; the next
-- success clears it. A changed contact starts with no verdict.
CREATE TABLE contact_health (
    technician_id   BIGINT NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    failing         BIGINT NOT NULL DEFAULT 0,
    failing_since   BIGINT,
    troubled_since  BIGINT,
    failures        BIGINT NOT NULL DEFAULT 0,
    answer          TEXT NOT NULL DEFAULT '',
    last_failure_at BIGINT,
    last_success_at BIGINT,
    PRIMARY KEY (technician_id, channel)
);
CREATE INDEX contact_health_failing ON contact_health (failing, technician_id);

-- The reachability view counts each group's engineers.
CREATE INDEX technician_groups_group ON technician_groups (group_id, technician_id);
