package io.tickvault.server.audit;

import static io.tickvault.server.testing.Bearer.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDependencies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A server killed with SIGKILL while PostgreSQL is down, its answered GetApiKeys recorded only in its
 * spool: the next start ships them, the chains verify, and the server's log holds neither a token
 * nor a secret.
 */
class AuditSpoolAfterKillIT {
  private static final String SECRET = "kill-secret-" + Long.toHexString(new SecureRandom().nextLong());
  private static final String WORKER = "worker-token-" + Long.toHexString(new SecureRandom().nextLong());
  private static final String ADMIN = "admin-token-" + Long.toHexString(new SecureRandom().nextLong());
  private static final int CALLS = 20;

  @Test
  void recordsInTheSpoolOfAKilledServer_areShippedOnRestart() throws Exception {
    byte[] masterKey = new byte[32];
    new SecureRandom().nextBytes(masterKey);
    Path spool = TestDependencies.scratchDir("audit-spool-kill-");
    Map<String, String> env = Map.of(
        "TICKVAULT_AUTH", "",
        "TICKVAULT_WORKER_TOKENS", WORKER,
        "TICKVAULT_ADMIN_TOKENS", ADMIN,
        "TICKVAULT_MASTER_KEY", Base64.getEncoder().encodeToString(masterKey),
        "TICKVAULT_AUDIT_SPOOL_DIR", spool.toString());
    try (OwnPostgres postgres = OwnPostgres.start(); ServerProcess server = ServerProcess.start(postgres.url(), env)) {
      as(ADMIN, MarketServiceGrpc.newBlockingStub(server.channel()))
          .putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
      as(ADMIN, ApiKeyAdminServiceGrpc.newBlockingStub(server.channel())).putApiKey(PutApiKeyRequest.newBuilder()
          .setUserId("user-0").setExchangeId(1).setAccessKey("access").setSecretKey(SECRET).build());
      ApiKeyServiceGrpc.ApiKeyServiceBlockingStub keys = as(WORKER, ApiKeyServiceGrpc.newBlockingStub(server.channel()));
      keys.getApiKeys(GetApiKeysRequest.newBuilder().setUserId("user-0").build()); // now in Redis

      postgres.stop();
      for (int i = 0; i < CALLS; i++) {
        assertThat(keys.getApiKeys(GetApiKeysRequest.newBuilder().setUserId("user-0").build()).getApiKeys(0).getSecretKey())
            .isEqualTo(SECRET);
      }
      assertThat(spoolBytes(spool)).as("the answered calls' records are in the spool").isPositive();
      server.kill();

      postgres.restart();
      server.restart();
      try (HikariDataSource pool = Database.openPool(postgres.url(), null, null, 1)) {
        Jdbc jdbc = new Jdbc(pool);
        Eventually.await("the dead server's spool shipped", Duration.ofSeconds(60), () -> count(jdbc) == CALLS + 1);
        AuditVerifier.Result verified = new AuditVerifier(new AuditRepository(jdbc), AuditKeys.of(masterKey, List.of()))
            .verify();
        assertThat(verified.intact()).as(verified.detail()).isTrue();
        assertThat(jdbc.queryOne("SELECT count(DISTINCT token_id) FROM audit_log WHERE method LIKE '%GetApiKeys'",
            row -> row.getLong(1)).orElseThrow()).as("every call recorded with its token's id").isEqualTo(1);
      }
      Eventually.await("the shipped file deleted", Duration.ofSeconds(10), () -> spoolBytes(spool) == 0);
      String log = Files.readString(server.log().toPath());
      assertThat(log).contains("shipping them to PostgreSQL").doesNotContain(SECRET).doesNotContain(WORKER)
          .doesNotContain(ADMIN);
    }
  }

  private static long count(Jdbc jdbc) {
    try {
      return jdbc.queryOne("SELECT count(*) FROM audit_log WHERE method LIKE '%GetApiKeys' AND outcome = 'OK'",
          row -> row.getLong(1)).orElseThrow();
    } catch (RuntimeException notYet) {
      return -1;
    }
  }

  private static long spoolBytes(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      long bytes = 0;
      for (Path f : files.filter(p -> p.toString().endsWith(".spool")).toList()) {
        bytes += Files.size(f);
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
