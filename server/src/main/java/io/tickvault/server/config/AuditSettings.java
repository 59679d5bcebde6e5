package io.tickvault.server.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the audit trail's local spool lives, and how large it may grow (docs/security.md).
 *
 * @param spoolDir {@code TICKVAULT_AUDIT_SPOOL_DIR}; empty: {@code audit-spool} in the data dir
 * @param maxSpoolBytes {@code TICKVAULT_AUDIT_SPOOL_MAX_MB}: past it, calls that return a secret are
 *     UNAVAILABLE while PostgreSQL is down
 */
public record AuditSettings(Optional<Path> spoolDir, long maxSpoolBytes) {
  public static final long DEFAULT_MAX_SPOOL_BYTES = 256L * 1024 * 1024;
  private static final long MIB = 1024 * 1024;
  private static final Bounds MAX_SPOOL_MB = Bounds.number("TICKVAULT_AUDIT_SPOOL_MAX_MB", 1, 1 << 20);

  public AuditSettings {
    MAX_SPOOL_MB.check(maxSpoolBytes / MIB);
  }

  static AuditSettings fromEnvironment(EnvReader env) {
    return new AuditSettings(env.string("TICKVAULT_AUDIT_SPOOL_DIR").map(Path::of),
        env.integer(MAX_SPOOL_MB, (int) (DEFAULT_MAX_SPOOL_BYTES / MIB)) * MIB);
  }

  /** The spool's directory: the one configured, else {@code audit-spool} in the data dir. */
  public Path spoolDir(Path dataDir) {
    return spoolDir.orElse(dataDir.resolve("audit-spool"));
  }
}
