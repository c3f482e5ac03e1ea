-- A roster CSV uploaded in the console, kept a day between its preview and its import: the
-- rows as read (JSON), or why the file was refused, and each row's outcome (JSON), first as
-- previewed, then as applied.
CREATE TABLE roster_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id    INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    state       TEXT NOT NULL,
    sheet       TEXT,
    problem     TEXT,
    report      TEXT,
    done        INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    applied_at  INTEGER
);
CREATE INDEX roster_imports_created ON roster_imports (created_at);
