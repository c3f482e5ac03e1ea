-- An account whose password is its login name (the legacy API's default, no pwd): the XML
-- API refuses it and the console asks for a new password before anything else. Accounts
-- made earlier are marked when they next sign in with that password.
ALTER TABLE technicians ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
