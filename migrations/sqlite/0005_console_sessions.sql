-- Console sessions in the application's own tables (and, on SQLite, through its one writer).
-- Each names its technician, so ending an engineer's sessions is one statement, and
-- deleting the engineer ends them too.
CREATE TABLE console_sessions (
    id            TEXT PRIMARY KEY,
    technician_id INTEGER REFERENCES technicians (id) ON DELETE CASCADE,
    data          TEXT NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX console_sessions_technician ON console_sessions (technician_id);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
