-- Folded keys for every case-insensitive rule and lookup. They are computed in Rust
-- (domain::fold) when a row is written, because SQLite's lower() folds ASCII only and
-- PostgreSQL's follows its locale: the same names must collide on both backends. lower()
-- below is exact for ASCII; start-up refolds rows that hold other letters.
ALTER TABLE technicians ADD COLUMN login_key TEXT;
ALTER TABLE technicians ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE technicians ADD COLUMN email_key TEXT;
UPDATE technicians SET
    name_key = lower(name),
    email_key = lower(email),
    login_key = CASE WHEN login_name IS NULL THEN NULL
                     ELSE lower(login_domain) || '\' || lower(login_name) END;
DROP INDEX technicians_login_unique;
DROP INDEX technicians_name;
DROP INDEX technicians_email;
CREATE UNIQUE INDEX technicians_login_unique ON technicians (login_key);
CREATE INDEX technicians_name ON technicians (name_key);
CREATE INDEX technicians_email ON technicians (email_key);

ALTER TABLE sites ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE sites SET name_key = lower(name);
DROP INDEX sites_name_unique;
CREATE UNIQUE INDEX sites_name_unique ON sites (name_key);

ALTER TABLE departments ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE departments SET name_key = lower(name);
DROP INDEX departments_name_unique;
CREATE UNIQUE INDEX departments_name_unique ON departments (coalesce(site_id, 0), name_key);

ALTER TABLE tech_groups ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE tech_groups SET name_key = lower(name);
DROP INDEX tech_groups_name_unique;
CREATE UNIQUE INDEX tech_groups_name_unique ON tech_groups (site_id, name_key);

-- When a count of failed sign-ins last grew, so idle counts can be forgotten.
ALTER TABLE auth_failures ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
