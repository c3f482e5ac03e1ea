-- A mark the reachability snapshot reads to learn whether anything it counts changed since
-- it was read: engineers' names and sites, subscriptions' states, robots' addresses, contact
-- health (failing, or a first delivery in ROBOT_PROVEN_MS = 30 days = 2592000000 ms), group
-- memberships, sites, groups, the beta channels. A write that changes none of that (a
-- delivery to a contact already proven, an engineer's other fields) leaves the mark alone.
-- SQLite: a counter moved by triggers in the writer's own transaction.
CREATE TABLE change_marks (
    name TEXT PRIMARY KEY NOT NULL,
    n    INTEGER NOT NULL
);
INSERT INTO change_marks (name, n) VALUES ('reach', 0);
CREATE TRIGGER reach_technicians_insert AFTER INSERT ON technicians BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_technicians_update AFTER UPDATE OF name, site_id ON technicians
WHEN old.name IS NOT new.name OR old.site_id IS NOT new.site_id BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_technicians_delete AFTER DELETE ON technicians BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_subscriptions_insert AFTER INSERT ON subscriptions BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_subscriptions_update AFTER UPDATE OF technician_id, method, state ON subscriptions
WHEN old.technician_id IS NOT new.technician_id OR old.method IS NOT new.method OR old.state IS NOT new.state BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_subscriptions_delete AFTER DELETE ON subscriptions BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_contact_points_insert AFTER INSERT ON contact_points BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_contact_points_update AFTER UPDATE OF technician_id, channel, address ON contact_points
WHEN old.technician_id IS NOT new.technician_id OR old.channel IS NOT new.channel OR (old.address IS NULL) IS NOT (new.address IS NULL) BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_contact_points_delete AFTER DELETE ON contact_points BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_contact_health_insert AFTER INSERT ON contact_health BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_contact_health_update AFTER UPDATE OF technician_id, channel, failing, last_success_at ON contact_health
WHEN old.technician_id IS NOT new.technician_id OR old.channel IS NOT new.channel OR old.failing IS NOT new.failing OR (old.last_success_at IS NULL) IS NOT (new.last_success_at IS NULL) OR new.last_success_at - old.last_success_at >= 2592000000 BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_contact_health_delete AFTER DELETE ON contact_health BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_technician_groups_insert AFTER INSERT ON technician_groups BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_technician_groups_update AFTER UPDATE OF technician_id, group_id ON technician_groups
WHEN old.technician_id IS NOT new.technician_id OR old.group_id IS NOT new.group_id BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_technician_groups_delete AFTER DELETE ON technician_groups BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_sites_insert AFTER INSERT ON sites BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_sites_update AFTER UPDATE OF name ON sites
WHEN old.name IS NOT new.name BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_sites_delete AFTER DELETE ON sites BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_tech_groups_insert AFTER INSERT ON tech_groups BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_tech_groups_update AFTER UPDATE OF name, site_id ON tech_groups
WHEN old.name IS NOT new.name OR old.site_id IS NOT new.site_id BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_tech_groups_delete AFTER DELETE ON tech_groups BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_settings_insert AFTER INSERT ON settings
WHEN new.key LIKE 'beta.%' BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_settings_update AFTER UPDATE OF key, value ON settings
WHEN (old.key LIKE 'beta.%' OR new.key LIKE 'beta.%') AND (old.key IS NOT new.key OR old.value IS NOT new.value) BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
CREATE TRIGGER reach_settings_delete AFTER DELETE ON settings
WHEN old.key LIKE 'beta.%' BEGIN
    UPDATE change_marks SET n = n + 1 WHERE name = 'reach';
END;
