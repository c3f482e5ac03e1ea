-- The language messages to an engineer are written in (confirmations, test notifications):
-- `en` or `zh-CN`. An engineer without one takes the site's; a site without one, English.
ALTER TABLE technicians ADD COLUMN language TEXT;
ALTER TABLE sites ADD COLUMN language TEXT;
-- The language a notification's text is written in, for what a channel adds around it (an
-- email's subject). Earlier notifications are English.
ALTER TABLE notifications ADD COLUMN language TEXT;
