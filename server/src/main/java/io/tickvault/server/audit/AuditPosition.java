package io.tickvault.server.audit;

import java.util.UUID;

/** Where a read of the audit log stands: the (time, chain, seq) key of the last record it sent. */
public record AuditPosition(long timeMs, UUID chainId, long seq) {
  /** The smallest uuid in PostgreSQL's order, which compares the bytes. */
  static final UUID FIRST_CHAIN = new UUID(0, 0);
  static final AuditPosition BEFORE_ALL = new AuditPosition(Long.MIN_VALUE, FIRST_CHAIN, 0);
}
