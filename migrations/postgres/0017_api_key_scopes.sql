-- An API key acts for its owner (with the owner's roles and sites, read at every request)
-- within its scopes. Keys made before owners existed have none and may only notify.
-- No foreign key: a key whose owner was deleted is kept for the record and refused.
ALTER TABLE api_keys ADD COLUMN owner_id BIGINT;
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'notify';
