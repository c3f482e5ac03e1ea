-- An index for the two sorts that had none that a page could be read from: by site (the
-- site's name lives in another table) and by login (an index on an expression cannot be
-- read alone). Each sort now has a column of its own.
--
-- login_sort: computed from login_name and stored.
DROP INDEX technicians_login_sort;
DROP INDEX technicians_site_login;
ALTER TABLE technicians ADD COLUMN login_sort TEXT
    GENERATED ALWAYS AS (lower(coalesce(login_name, ''))) STORED;
CREATE INDEX technicians_login_sort ON technicians (login_sort, id);
CREATE INDEX technicians_site_login ON technicians (site_id, login_sort, id);

-- site_key: the site's name as the site sort compares it, kept by triggers whenever an
-- engineer changes site or a site is renamed or deleted.
ALTER TABLE technicians ADD COLUMN site_key TEXT NOT NULL DEFAULT '';
UPDATE technicians t SET site_key = lower(s.name) FROM sites s WHERE s.id = t.site_id;
CREATE INDEX technicians_site_sort ON technicians (site_key, id);

CREATE FUNCTION technicians_site_key() RETURNS trigger AS $$
BEGIN
    NEW.site_key := coalesce((SELECT lower(s.name) FROM sites s WHERE s.id = NEW.site_id), '');
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER technicians_site_key_insert BEFORE INSERT ON technicians
FOR EACH ROW WHEN (NEW.site_id IS NOT NULL) EXECUTE FUNCTION technicians_site_key();
CREATE TRIGGER technicians_site_key_update BEFORE UPDATE OF site_id ON technicians
FOR EACH ROW WHEN (OLD.site_id IS DISTINCT FROM NEW.site_id) EXECUTE FUNCTION technicians_site_key();

CREATE FUNCTION sites_key() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE technicians SET site_key = '' WHERE site_id = OLD.id;
        RETURN OLD;
    END IF;
    UPDATE technicians SET site_key = lower(NEW.name) WHERE site_id = NEW.id;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER sites_key_rename AFTER UPDATE OF name ON sites
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION sites_key();
CREATE TRIGGER sites_key_delete BEFORE DELETE ON sites
FOR EACH ROW EXECUTE FUNCTION sites_key();
