-- Directories feed the roster (SPEC §6). A directory's name is a login domain. Its bind
-- password is never stored: only the name of the environment variable that holds it.
CREATE TABLE directories (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL,
    name_key          TEXT NOT NULL,
    kind              TEXT NOT NULL,
    file_path         TEXT,
    ldap_url          TEXT,
    bind_dn           TEXT,
    bind_password_env TEXT,
    base_dn           TEXT,
    filter            TEXT,
    starttls          INTEGER NOT NULL DEFAULT 0,
    preset            TEXT NOT NULL,
    mapping_json      TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX directories_name ON directories (name_key);

-- One row per sync. At most one runs at a time across instances (the partial unique
-- index); a run whose heartbeat stopped (its process died) is ended by the next one.
CREATE TABLE sync_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    running      INTEGER,
    state        TEXT NOT NULL,
    directory    TEXT,
    started_by   TEXT NOT NULL,
    source       TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    finished_at  INTEGER,
    total        INTEGER NOT NULL DEFAULT 0,
    processed    INTEGER NOT NULL DEFAULT 0,
    created      INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    unchanged    INTEGER NOT NULL DEFAULT 0,
    flagged      INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    lists_json   TEXT NOT NULL DEFAULT '{}',
    error        TEXT
);
CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs (running);

-- What the directory last said of an engineer's contacts: a local value that differs was
-- edited here, and a sync never overwrites it. `sync_run` is the last run that saw it.
ALTER TABLE technicians ADD COLUMN synced_mobile TEXT;
ALTER TABLE technicians ADD COLUMN synced_email TEXT;
ALTER TABLE technicians ADD COLUMN sync_run INTEGER;
