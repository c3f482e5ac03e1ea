-- Where each account signed in successfully lately: guesses from those addresses are
-- counted apart from guesses from anywhere else, so strangers cannot lock an account out
-- for the addresses it is really used from.
CREATE TABLE familiar_addresses (
    account_key TEXT NOT NULL,
    address     TEXT NOT NULL,
    last_seen   BIGINT NOT NULL,
    PRIMARY KEY (account_key, address)
);
CREATE INDEX familiar_addresses_last_seen ON familiar_addresses (last_seen);
