-- What a channel needs to reach an engineer (a webhook and its signing secret, a chat id):
-- one row per engineer and channel, in place of a column pair per channel on technicians.
-- The secret is sealed under the server key (service::secret_box) and never read back to
-- be shown: secret_hint keeps its last four characters for the masked view. A secret saved
-- before sealing existed waits in unsealed_secret until the first start seals it.
CREATE TABLE contact_points (
    technician_id   INTEGER NOT NULL REFERENCES technicians (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    address         TEXT,
    secret          TEXT,
    secret_hint     TEXT,
    unsealed_secret TEXT,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (technician_id, channel)
);
CREATE INDEX contact_points_channel ON contact_points (channel, technician_id);

INSERT INTO contact_points (technician_id, channel, address, updated_at)
    SELECT id, 'wecom', wecom_webhook, updated_at FROM technicians
    WHERE wecom_webhook IS NOT NULL;
INSERT INTO contact_points (technician_id, channel, address, secret_hint, unsealed_secret, updated_at)
    SELECT id, 'dingtalk', dingtalk_webhook, substr(dingtalk_secret, -4), dingtalk_secret, updated_at
    FROM technicians WHERE dingtalk_webhook IS NOT NULL OR dingtalk_secret IS NOT NULL;
INSERT INTO contact_points (technician_id, channel, address, secret_hint, unsealed_secret, updated_at)
    SELECT id, 'lark', lark_webhook, substr(lark_secret, -4), lark_secret, updated_at
    FROM technicians WHERE lark_webhook IS NOT NULL OR lark_secret IS NOT NULL;

ALTER TABLE technicians DROP COLUMN wecom_webhook;
ALTER TABLE technicians DROP COLUMN dingtalk_webhook;
ALTER TABLE technicians DROP COLUMN dingtalk_secret;
ALTER TABLE technicians DROP COLUMN lark_webhook;
ALTER TABLE technicians DROP COLUMN lark_secret;
