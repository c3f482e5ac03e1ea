-- The roster at 100,000 engineers: an index for every sort the table offers (a page is read
-- from an index, never sorted out of the whole table), the same per site for the site
-- filter, and a trigram index on the stored search text so a search does not read every row.
CREATE INDEX technicians_login_sort ON technicians (lower(coalesce(login_name, '')));
CREATE INDEX technicians_updated ON technicians (updated_at);
CREATE INDEX technicians_site_name ON technicians (site_id, name_key);
CREATE INDEX technicians_site_login ON technicians (site_id, lower(coalesce(login_name, '')));
CREATE INDEX technicians_site_updated ON technicians (site_id, updated_at);

-- External content: the text stays in technicians.search_text, the index follows it.
CREATE VIRTUAL TABLE technicians_search USING fts5(
    search_text, content = 'technicians', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO technicians_search (technicians_search) VALUES ('rebuild');
CREATE TRIGGER technicians_search_insert AFTER INSERT ON technicians BEGIN
    INSERT INTO technicians_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER technicians_search_delete AFTER DELETE ON technicians BEGIN
    INSERT INTO technicians_search (technicians_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER technicians_search_update AFTER UPDATE OF search_text ON technicians
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO technicians_search (technicians_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO technicians_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
