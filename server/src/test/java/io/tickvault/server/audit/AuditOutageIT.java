package io.tickvault.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetApiKeysResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.TestDependencies;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped (a server of the test's own): GetApiKeys keeps answering from the cache within
 * 1.5 s, each answer either the key, its record in the local spool, or UNAVAILABLE; once PostgreSQL
 * is back, the spool is shipped, every answered call has its record in audit_log, and the chain
 * verifies. With the spool unwritable too, every call is UNAVAILABLE within 1.5 s, without its key.
 */
class AuditOutageIT {
  private static final String GET_API_KEYS = ApiKeyServiceGrpc.getGetApiKeysMethod().getFullMethodName();
  private static final String SECRET = "outage-secret-0123456789";
  private static final int ROUNDS = 6;
  private static final int CALLS_PER_ROUND = 50;

  /** How one call ended and how long it took. */
  private record Answer(Status.Code code, boolean hadTheKey, long millis) {}

  @Test
  void whilePostgresIsDown_getApiKeysIsAnsweredWithinASecondAndAHalf_andEveryAnsweredCallIsRecordedOnceItIsBack()
      throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start(); InProcessApp app = InProcessApp.start(postgres.url())) {
      ManagedChannel channel = app.channel();
      MarketServiceGrpc.newBlockingStub(channel).putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
      for (int u = 0; u < 4; u++) {
        ApiKeyAdminServiceGrpc.newBlockingStub(channel).putApiKey(PutApiKeyRequest.newBuilder().setUserId("user-" + u)
            .setExchangeId(1).setAccessKey("access").setSecretKey(SECRET).build());
        ApiKeyServiceGrpc.newBlockingStub(channel).getApiKeys(GetApiKeysRequest.newBuilder().setUserId("user-" + u).build());
      }

      postgres.stop();
      List<Answer> answers = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        List<CompletableFuture<Answer>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS_PER_ROUND; i++) {
          calls.add(getApiKeys(channel, "user-" + i % 4));
        }
        for (CompletableFuture<Answer> call : calls) {
          answers.add(call.get(30, TimeUnit.SECONDS));
        }
        Thread.sleep(300); // the outage lasts a few seconds, through near-cache expiries
      }
      long answeredWithKey = answers.stream().filter(Answer::hadTheKey).count();
      long slowest = answers.stream().mapToLong(Answer::millis).max().orElseThrow();
      double spooled = MetricValues.counter(app.app().metrics().registry(), "tickvault_audit_records_total",
          "outcome", "spooled");
      System.out.printf("AuditOutageIT: %d GetApiKeys with PostgreSQL down: %d answered with the key, %d UNAVAILABLE, "
              + "slowest %d ms; %.0f records spooled%n", answers.size(), answeredWithKey,
          answers.stream().filter(a -> a.code() == Status.Code.UNAVAILABLE).count(), slowest, spooled);
      assertThat(answers).allSatisfy(a -> {
        assertThat(a.code()).isIn(Status.Code.OK, Status.Code.UNAVAILABLE);
        assertThat(a.code() == Status.Code.OK).isEqualTo(a.hadTheKey());
        assertThat(a.millis()).isLessThan(1_500);
      });
      assertThat(answeredWithKey).as("the cache answers while PostgreSQL is down").isPositive();
      assertThat(spooled).isGreaterThanOrEqualTo(answeredWithKey);

      postgres.restart();
      Eventually.await("the spool shipped", Duration.ofSeconds(60), () -> MetricValues.gauge(
          app.app().metrics().registry(), "tickvault_audit_spool_records") == 0);
      try (HikariDataSource pool = Database.openPool(postgres.url(), null, null, 1)) {
        Jdbc jdbc = new Jdbc(pool);
        long okRecords = jdbc.queryOne("SELECT count(*) FROM audit_log WHERE method = ? AND outcome = 'OK' AND chain_id = ?",
            row -> row.getLong(1), GET_API_KEYS, app.app().auditChainId()).orElseThrow();
        assertThat(okRecords).as("an OK record for each call answered with the key, and the 4 before the outage")
            .isGreaterThanOrEqualTo(answeredWithKey + 4);
        long records = jdbc.queryOne("SELECT count(*) FROM audit_log WHERE method = ? AND chain_id = ?",
            row -> row.getLong(1), GET_API_KEYS, app.app().auditChainId()).orElseThrow();
        assertThat(records).as("one record per call").isEqualTo(answers.size() + 4);
        AuditVerifier.Result verified = new AuditVerifier(new AuditRepository(jdbc), AuditKeys.of(new byte[32], List.of()))
            .verify();
        assertThat(verified.intact()).as(verified.detail()).isTrue();
      }
    }
  }

  @Test
  void whenNeitherPostgresNorTheSpoolTakesTheRecord_getApiKeysIsUnavailableWithinASecondAndAHalf_andNoSecretLeaves()
      throws Exception {
    Path spool = TestDependencies.scratchDir("audit-spool-lost-");
    try (OwnPostgres postgres = OwnPostgres.start();
         InProcessApp app = InProcessApp.start(InProcessApp.config(postgres.url()).auditSpoolDir(spool).build())) {
      ManagedChannel channel = app.channel();
      MarketServiceGrpc.newBlockingStub(channel).putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
      ApiKeyAdminServiceGrpc.newBlockingStub(channel).putApiKey(PutApiKeyRequest.newBuilder().setUserId("user-0")
          .setExchangeId(1).setAccessKey("access").setSecretKey(SECRET).build());
      ApiKeyServiceGrpc.newBlockingStub(channel).getApiKeys(GetApiKeysRequest.newBuilder().setUserId("user-0").build());

      // The spool's directory becomes a file: nothing can be appended there any more.
      Files.delete(spool);
      Files.writeString(spool, "not a directory");
      postgres.stop();
      List<CompletableFuture<Answer>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(getApiKeys(channel, "user-0"));
      }
      for (CompletableFuture<Answer> call : calls) {
        Answer answer = call.get(30, TimeUnit.SECONDS);
        assertThat(answer.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(answer.hadTheKey()).isFalse();
        assertThat(answer.millis()).isLessThan(1_500);
      }
    }
  }

  private static CompletableFuture<Answer> getApiKeys(ManagedChannel channel, String user) {
    CompletableFuture<Answer> done = new CompletableFuture<>();
    long start = System.nanoTime();
    ApiKeyServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getApiKeys(GetApiKeysRequest.newBuilder().setUserId(user).build(), new StreamObserver<>() {
          private boolean hadTheKey;

          @Override
          public void onNext(GetApiKeysResponse response) {
            hadTheKey = response.getApiKeysCount() == 1 && response.getApiKeys(0).getSecretKey().equals(SECRET);
          }

          @Override
          public void onError(Throwable t) {
            done.complete(new Answer(Status.fromThrowable(t).getCode(), false, elapsed()));
          }

          @Override
          public void onCompleted() {
            done.complete(new Answer(Status.Code.OK, hadTheKey, elapsed()));
          }

          private long elapsed() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          }
        });
    return done;
  }
}
