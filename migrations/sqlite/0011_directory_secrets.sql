-- A bind password typed in the console, sealed under the server key (never the password
-- itself), and the operator's allowance of plain ldap:// for a directory.
ALTER TABLE directories ADD COLUMN bind_password_sealed TEXT;
ALTER TABLE directories ADD COLUMN allow_plain_ldap INTEGER NOT NULL DEFAULT 0;
