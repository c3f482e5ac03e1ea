-- What a roster search looks in, lower-cased, so a search reads one column per row.
ALTER TABLE technicians ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE technicians SET search_text = lower(name || chr(10) || coalesce(alias, '') || chr(10) ||
    coalesce(login_name, '') || chr(10) || coalesce(email, '') || chr(10) || coalesce(mobile, ''));
