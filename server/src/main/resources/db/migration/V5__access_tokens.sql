-- Stored bearer tokens (docs/security.md). A token is "tv_<id>_<secret>": its id is in clear, so a
-- presented token is found by its primary key, and only the SHA-256 of its secret is kept. The
-- secret is 256 random bits, so a plain hash is as strong as a slow one would be: nothing to guess.
--
-- Servers keep every row in memory and never read this table on a call's path; they re-read it
-- when another server announces a change, and when the fingerprint of the table (count of rows,
-- count of revoked rows) moved. That fingerprint sees every change tickvault makes: a token is never
-- deleted, and a revocation is never undone.
CREATE TABLE access_tokens (
    id               text     NOT NULL,
    name             text     NOT NULL,
    secret_sha256    bytea    NOT NULL CHECK (length(secret_sha256) = 32),
    -- tickvault.v1.Permission names without their prefix, as "API_KEYS_READ".
    permissions      text[]   NOT NULL,
    -- The scope; an empty array leaves its axis open.
    user_ids         text[]   NOT NULL DEFAULT '{}',
    user_id_prefixes text[]   NOT NULL DEFAULT '{}',
    exchange_ids     int[]    NOT NULL DEFAULT '{}',
    created_at_ms    bigint   NOT NULL,
    -- 0: never.
    expires_at_ms    bigint   NOT NULL DEFAULT 0,
    revoked_at_ms    bigint   NOT NULL DEFAULT 0,
    -- Written in batches, never on a call's path: to within the flush interval.
    last_used_at_ms  bigint   NOT NULL DEFAULT 0,
    CONSTRAINT pk_access_tokens PRIMARY KEY (id)
);

-- ListTokens pages oldest first.
CREATE INDEX ix_access_tokens_created ON access_tokens (created_at_ms, id);
