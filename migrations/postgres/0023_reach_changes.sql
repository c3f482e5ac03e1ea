-- A mark the reachability snapshot reads to learn whether anything it counts changed since
-- it was read: engineers' names and sites, subscriptions' states, robots' addresses, contact
-- health (failing, or a first delivery in ROBOT_PROVEN_MS = 30 days = 2592000000 ms), group
-- memberships, sites, groups, the beta channels. A write that changes none of that (a
-- delivery to a contact already proven, an engineer's other fields) leaves the mark alone.
-- PostgreSQL: a sequence (a counter row would make every such writer wait for the others).
-- A sequence moves before the writer commits: the reader reads once more after a move.
CREATE SEQUENCE reach_changes;
CREATE FUNCTION reach_changed() RETURNS trigger AS $$
BEGIN
    PERFORM nextval('reach_changes');
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER reach_insert AFTER INSERT ON technicians
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_update AFTER UPDATE OF name, site_id ON technicians
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.site_id IS DISTINCT FROM NEW.site_id) EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_delete AFTER DELETE ON technicians
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_insert AFTER INSERT ON subscriptions
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_update AFTER UPDATE OF technician_id, method, state ON subscriptions
FOR EACH ROW WHEN (OLD.technician_id IS DISTINCT FROM NEW.technician_id OR OLD.method IS DISTINCT FROM NEW.method OR OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_delete AFTER DELETE ON subscriptions
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_insert AFTER INSERT ON contact_points
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_update AFTER UPDATE OF technician_id, channel, address ON contact_points
FOR EACH ROW WHEN (OLD.technician_id IS DISTINCT FROM NEW.technician_id OR OLD.channel IS DISTINCT FROM NEW.channel OR (OLD.address IS NULL) IS DISTINCT FROM (NEW.address IS NULL)) EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_delete AFTER DELETE ON contact_points
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_insert AFTER INSERT ON contact_health
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_update AFTER UPDATE OF technician_id, channel, failing, last_success_at ON contact_health
FOR EACH ROW WHEN (OLD.technician_id IS DISTINCT FROM NEW.technician_id OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.failing IS DISTINCT FROM NEW.failing OR (OLD.last_success_at IS NULL) IS DISTINCT FROM (NEW.last_success_at IS NULL) OR NEW.last_success_at - OLD.last_success_at >= 2592000000) EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_delete AFTER DELETE ON contact_health
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_insert AFTER INSERT ON technician_groups
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_update AFTER UPDATE OF technician_id, group_id ON technician_groups
FOR EACH ROW WHEN (OLD.technician_id IS DISTINCT FROM NEW.technician_id OR OLD.group_id IS DISTINCT FROM NEW.group_id) EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_delete AFTER DELETE ON technician_groups
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_insert AFTER INSERT ON sites
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_update AFTER UPDATE OF name ON sites
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_delete AFTER DELETE ON sites
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_insert AFTER INSERT ON tech_groups
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_update AFTER UPDATE OF name, site_id ON tech_groups
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.site_id IS DISTINCT FROM NEW.site_id) EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_delete AFTER DELETE ON tech_groups
FOR EACH ROW EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_insert AFTER INSERT ON settings
FOR EACH ROW WHEN (NEW.key LIKE 'beta.%') EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_update AFTER UPDATE OF key, value ON settings
FOR EACH ROW WHEN ((OLD.key LIKE 'beta.%' OR NEW.key LIKE 'beta.%') AND (OLD.key IS DISTINCT FROM NEW.key OR OLD.value IS DISTINCT FROM NEW.value)) EXECUTE FUNCTION reach_changed();
CREATE TRIGGER reach_delete AFTER DELETE ON settings
FOR EACH ROW WHEN (OLD.key LIKE 'beta.%') EXECUTE FUNCTION reach_changed();
