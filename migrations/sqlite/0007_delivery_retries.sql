-- A dead letter retried by hand gets a fresh budget of attempts: `attempts` keeps counting,
-- so the attempt numbers in the log stay unique, and `attempts_base` is where the current
-- budget started.
ALTER TABLE deliveries ADD COLUMN attempts_base INTEGER NOT NULL DEFAULT 0;
-- The delivery log lists newest first, within a state or across all of them.
CREATE INDEX deliveries_status_created ON deliveries (status, created_at);
CREATE INDEX deliveries_created ON deliveries (created_at);
CREATE INDEX delivery_attempts_delivery_attempt ON delivery_attempts (delivery_id, attempt);
DROP INDEX delivery_attempts_delivery;
