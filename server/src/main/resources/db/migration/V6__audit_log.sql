-- The audit trail: one row per GetApiKeys, admin write and refusal (docs/security.md). Never a
-- secret and never a token: who (token_id, the token's public id), from where (peer), what
-- (method, user_id, exchange_id) and how it ended (outcome, a gRPC status code name).
--
-- Each server instance writes one chain (chain_id, fresh at each start), seq 1, 2, 3... without a
-- gap. hash is HMAC-SHA-256 under a key derived from the master key (key_id names it) over the
-- row's fields and prev_hash, the hash of the row before it in the chain (32 zero bytes for seq 1):
-- changing a row breaks its own hash, deleting one leaves a gap in seq, and rewriting the chain
-- after it needs the master key. time_ms is the server's clock in epoch milliseconds, exactly as
-- hashed.
CREATE TABLE audit_log (
    chain_id    uuid     NOT NULL,
    seq         bigint   NOT NULL CHECK (seq > 0),
    time_ms     bigint   NOT NULL,
    token_id    text     NOT NULL,
    peer        text     NOT NULL,
    method      text     NOT NULL,
    user_id     text     NOT NULL,
    exchange_id integer  NOT NULL,
    outcome     text     NOT NULL,
    key_id      text     NOT NULL,
    prev_hash   bytea    NOT NULL,
    hash        bytea    NOT NULL,
    CONSTRAINT pk_audit_log PRIMARY KEY (chain_id, seq)
);

-- ReadAuditLog pages by (time_ms, chain_id, seq), filtered by user or token.
CREATE INDEX audit_log_by_time ON audit_log (time_ms, chain_id, seq);
CREATE INDEX audit_log_by_user ON audit_log (user_id, time_ms, chain_id, seq);
CREATE INDEX audit_log_by_token ON audit_log (token_id, time_ms, chain_id, seq);

-- Append-only for whoever uses the server's role through SQL by mistake: UPDATE and DELETE are
-- refused. This stops no one who owns the table (a trigger can be disabled); the chain is what
-- finds that.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
