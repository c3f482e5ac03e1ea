-- An index for the two sorts that had none that a page could be read from: by site (the
-- site's name lives in another table) and, for PostgreSQL's sake, by login (an index on an
-- expression cannot be read alone there). Each sort now has a column of its own.
--
-- login_sort: computed from login_name; virtual here (an index on it is what counts).
DROP INDEX technicians_login_sort;
DROP INDEX technicians_site_login;
ALTER TABLE technicians ADD COLUMN login_sort TEXT
    GENERATED ALWAYS AS (lower(coalesce(login_name, ''))) VIRTUAL;
CREATE INDEX technicians_login_sort ON technicians (login_sort);
CREATE INDEX technicians_site_login ON technicians (site_id, login_sort);

-- site_key: the site's name as the site sort compares it, kept by triggers whenever an
-- engineer changes site or a site is renamed or deleted.
ALTER TABLE technicians ADD COLUMN site_key TEXT NOT NULL DEFAULT '';
UPDATE technicians
SET site_key = coalesce((SELECT lower(s.name) FROM sites s WHERE s.id = technicians.site_id), '')
WHERE site_id IS NOT NULL;
CREATE INDEX technicians_site_sort ON technicians (site_key);
CREATE TRIGGER technicians_site_key_insert AFTER INSERT ON technicians
WHEN new.site_id IS NOT NULL BEGIN
    UPDATE technicians
    SET site_key = coalesce((SELECT lower(s.name) FROM sites s WHERE s.id = new.site_id), '')
    WHERE id = new.id;
END;
CREATE TRIGGER technicians_site_key_update AFTER UPDATE OF site_id ON technicians
WHEN old.site_id IS NOT new.site_id BEGIN
    UPDATE technicians
    SET site_key = coalesce((SELECT lower(s.name) FROM sites s WHERE s.id = new.site_id), '')
    WHERE id = new.id;
END;
CREATE TRIGGER sites_key_rename AFTER UPDATE OF name ON sites
WHEN old.name IS NOT new.name BEGIN
    UPDATE technicians SET site_key = lower(new.name) WHERE site_id = new.id;
END;
CREATE TRIGGER sites_key_delete BEFORE DELETE ON sites BEGIN
    UPDATE technicians SET site_key = '' WHERE site_id = old.id;
END;
