-- The roster at 100,000 engineers: an index for every sort the table offers (a page is read
-- from an index, never sorted out of the whole table), the same per site for the site
-- filter, and a trigram index on the stored search text so a search does not read every row.
-- pg_trgm ships with PostgreSQL (the contrib package) and is a trusted extension.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX technicians_search_trgm ON technicians USING gin (search_text gin_trgm_ops);
CREATE INDEX technicians_name_sort ON technicians (name_key, id);
CREATE INDEX technicians_login_sort ON technicians (lower(coalesce(login_name, '')), id);
CREATE INDEX technicians_updated ON technicians (updated_at, id);
CREATE INDEX technicians_site_name ON technicians (site_id, name_key, id);
CREATE INDEX technicians_site_login ON technicians (site_id, lower(coalesce(login_name, '')), id);
CREATE INDEX technicians_site_updated ON technicians (site_id, updated_at, id);
