package io.tickvault.server.app;

import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.server.audit.AuditInterceptor;
import io.tickvault.server.audit.AuditKeys;
import io.tickvault.server.audit.AuditLog;
import io.tickvault.server.audit.AuditRepository;
import io.tickvault.server.audit.AuditVerifier;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.config.StartupException;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.service.Rpcs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The audit trail, wired: its keys derived from the master keys, the writer on a pool of its own
 * with its spool, the interceptor that records calls, and what reads and verifies the log (on the
 * server's pool). docs/security.md.
 */
record Audit(AuditLog log, AuditInterceptor interceptor, AuditRepository reads, AuditVerifier verifier) {

  static Audit start(ServerConfig config, byte[] masterKey, Infrastructure infra, Clock clock, Resources resources) {
    AuditKeys keys = AuditKeys.of(masterKey, config.apiKeys().oldMasterKeys());
    HikariDataSource pool = resources.own(Database.openAuditPool(infra.databaseUrl(),
        Infrastructure.user(config.database()), config.database().password().orElse(null)));
    AuditLog log = resources.own(new AuditLog(keys, new AuditRepository(new Jdbc(pool)),
        spoolDir(config), config.audit().maxSpoolBytes(),
        infra.databaseHealth()::reachable, infra.metrics().registry(), clock, System::nanoTime)).start();
    AuditInterceptor interceptor = new AuditInterceptor(log, Rpcs.secretReads(), Rpcs.auditedWrites(), clock);
    AuditRepository reads = new AuditRepository(infra.jdbc());
    return new Audit(log, interceptor, reads, new AuditVerifier(reads, keys));
  }

  /** The spool's directory, made now: one that cannot be would only show when PostgreSQL is down. */
  private static Path spoolDir(ServerConfig config) {
    Path dir = config.audit().spoolDir(config.dataDir());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StartupException("TICKVAULT_AUDIT_SPOOL_DIR=" + dir + ": cannot create that directory (" + e
          + "): give the audit spool a writable directory on a local disk");
    }
    if (!Files.isWritable(dir)) {
      throw new StartupException("TICKVAULT_AUDIT_SPOOL_DIR=" + dir + ": not writable by this process");
    }
    return dir;
  }
}
