package io.tickvault.server.audit;

import java.util.UUID;

/**
 * An {@link AuditEvent} placed in its chain: its number there, the hash of the record before it and
 * its own ({@link AuditChain}), and the id of the key that made the hashes.
 */
public record ChainedRecord(UUID chainId, long seq, AuditEvent event, String keyId, byte[] prevHash, byte[] hash) {}
