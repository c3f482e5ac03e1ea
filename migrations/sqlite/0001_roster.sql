-- The roster: sites, departments, groups, technicians and what hangs off them.

CREATE TABLE sites (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX sites_name_unique ON sites (lower(name));

CREATE TABLE departments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id    INTEGER REFERENCES sites (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX departments_name_unique ON departments (coalesce(site_id, 0), lower(name));

CREATE TABLE tech_groups (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id    INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX tech_groups_name_unique ON tech_groups (site_id, lower(name));

CREATE TABLE technicians (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    name                   TEXT NOT NULL,
    alias                  TEXT,
    employee_id            TEXT,
    email                  TEXT,
    phone                  TEXT,
    mobile                 TEXT,
    sms_mail_id            TEXT,
    cost_per_hr_cents      INTEGER,
    job_title              TEXT,
    site_id                INTEGER REFERENCES sites (id) ON DELETE SET NULL,
    department_id          INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    approve_purchase_order INTEGER NOT NULL DEFAULT 0,
    login_name             TEXT,
    login_domain           TEXT NOT NULL DEFAULT '',
    login_enabled          INTEGER NOT NULL DEFAULT 0,
    password_hash          TEXT,
    wecom_webhook          TEXT,
    dingtalk_webhook       TEXT,
    dingtalk_secret        TEXT,
    lark_webhook           TEXT,
    lark_secret            TEXT,
    directory_source       TEXT,
    directory_id           TEXT,
    directory_missing      INTEGER NOT NULL DEFAULT 0,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    version                INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX technicians_login_unique ON technicians (lower(login_domain), lower(login_name));
CREATE UNIQUE INDEX technicians_directory_unique ON technicians (directory_source, directory_id);
CREATE INDEX technicians_name ON technicians (lower(name));
CREATE INDEX technicians_email ON technicians (lower(email));

CREATE TABLE technician_roles (
    technician_id INTEGER NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    role          TEXT NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (technician_id, role)
);
CREATE INDEX technician_roles_role ON technician_roles (role);

CREATE TABLE technician_sites (
    technician_id INTEGER NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    site_id       INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    PRIMARY KEY (technician_id, site_id)
);

CREATE TABLE technician_groups (
    technician_id INTEGER NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    group_id      INTEGER NOT NULL REFERENCES tech_groups (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    PRIMARY KEY (technician_id, group_id)
);

CREATE TABLE udf_definitions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    column_name TEXT NOT NULL,
    alias       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX udf_definitions_column_unique ON udf_definitions (column_name);

CREATE TABLE technician_udfs (
    technician_id INTEGER NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    udf_id        INTEGER NOT NULL REFERENCES udf_definitions (id) ON DELETE CASCADE,
    value         TEXT NOT NULL,
    PRIMARY KEY (technician_id, udf_id)
);

-- Failed sign-ins per account, shared by the console and the XML API and by every instance.
CREATE TABLE auth_failures (
    account_key  TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    actor_id      INTEGER,
    actor_name    TEXT NOT NULL,
    source        TEXT NOT NULL,
    action        TEXT NOT NULL,
    technician_id INTEGER,
    remote_addr   TEXT,
    before_json   TEXT,
    after_json    TEXT
);
CREATE INDEX audit_log_technician ON audit_log (technician_id);
CREATE INDEX audit_log_at ON audit_log (at);
