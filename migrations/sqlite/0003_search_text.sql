-- What a roster search looks in, lower-cased, so a search reads one column per row.
ALTER TABLE technicians ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE technicians SET search_text = lower(name || char(10) || coalesce(alias, '') || char(10) ||
    coalesce(login_name, '') || char(10) || coalesce(email, '') || char(10) || coalesce(mobile, ''));
