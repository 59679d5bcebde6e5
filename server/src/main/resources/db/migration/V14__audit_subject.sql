-- The token an audited call acted on (docs/security.md): the id RevokeToken was given, the id of the
-- token CreateToken made; token_id stays the caller's. '' for every other call. The hash covers it
-- when it is not '', so the rows written before this column hash as they did. Adding a column with
-- a constant default rewrites no row and fires no UPDATE trigger.
ALTER TABLE audit_log ADD COLUMN subject text NOT NULL DEFAULT '';
