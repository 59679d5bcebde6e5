package io.tickvault.server.audit;

import static io.tickvault.server.testing.Bearer.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.AuthServiceGrpc;
import io.tickvault.api.v1.WhoAmIRequest;
import io.tickvault.api.v1.CreateTokenRequest;
import io.tickvault.api.v1.CreateTokenResponse;
import io.tickvault.api.v1.GetCoverageRequest;
import io.tickvault.api.v1.Permission;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.RevokeTokenRequest;
import io.tickvault.api.v1.TokenAdminServiceGrpc;
import io.tickvault.api.v1.TokenScope;
import io.tickvault.api.v1.AuditChainHead;
import io.tickvault.api.v1.AuditRecord;
import io.tickvault.api.v1.AuditServiceGrpc;
import io.tickvault.api.v1.ReadAuditLogRequest;
import io.tickvault.api.v1.ReadAuditLogResponse;
import io.tickvault.api.v1.VerifyAuditLogRequest;
import io.tickvault.api.v1.VerifyAuditLogResponse;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetApiKeysResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The audit trail over two replicas on real PostgreSQL and Redis: one record per GetApiKeys, near-cache
 * hits included, every admin write and refusal recorded with the token's id, the chains verify, a
 * changed or a deleted record is found at that record, and a dump of the database holds no token and
 * no secret.
 */
class AuditTrailIT {
  private static final String GET_API_KEYS = ApiKeyServiceGrpc.getGetApiKeysMethod().getFullMethodName();
  private static final String SECRET = "s3cr3t-" + UUID.randomUUID();

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  private static final String WORKER = "worker-" + UUID.randomUUID();
  private static final String ADMIN = "admin-" + UUID.randomUUID();

  static InProcessApp replicaA;
  static InProcessApp replicaB;

  @BeforeAll
  static void startTwoReplicas() {
    replicaA = InProcessApp.start(config());
    replicaB = InProcessApp.start(config());
    as(ADMIN, MarketServiceGrpc.newBlockingStub(replicaA.channel()))
        .putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
    for (int u = 0; u < 4; u++) {
      as(ADMIN, ApiKeyAdminServiceGrpc.newBlockingStub(replicaA.channel())).putApiKey(PutApiKeyRequest.newBuilder()
          .setUserId("user-" + u).setExchangeId(1).setAccessKey("access-" + u).setSecretKey(SECRET).build());
    }
  }

  private static ServerConfig config() {
    return InProcessApp.config(database.url()).authDisabled(false).workerTokens(List.of(WORKER))
        .adminTokens(List.of(ADMIN)).build();
  }

  @AfterAll
  static void stop() {
    replicaA.close();
    replicaB.close();
  }

  @Test
  void aThousandConcurrentGetApiKeysOverTwoReplicas_nearCacheHitsIncluded_leaveExactlyAThousandRecords() throws Exception {
    String okByTheWorker = "method = ? AND outcome = 'OK' AND user_id LIKE 'user-%' AND token_id LIKE 'env-worker-%'";
    long before = count("method = ?", GET_API_KEYS);
    long okBefore = count(okByTheWorker, GET_API_KEYS);
    double nearHitsBefore = nearHits(replicaA) + nearHits(replicaB);
    int calls = 1000;
    CountDownLatch done = new CountDownLatch(calls);
    AtomicInteger answered = new AtomicInteger();
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    for (int i = 0; i < calls; i++) {
      ManagedChannel channel = (i % 2 == 0 ? replicaA : replicaB).channel();
      as(WORKER, ApiKeyServiceGrpc.newStub(channel)).getApiKeys(GetApiKeysRequest.newBuilder().setUserId("user-" + i % 4).build(),
          new StreamObserver<>() {
            @Override
            public void onNext(GetApiKeysResponse response) {
              if (response.getApiKeys(0).getSecretKey().equals(SECRET)) {
                answered.incrementAndGet();
              }
            }

            @Override
            public void onError(Throwable t) {
              failures.merge(t.toString(), 1, Integer::sum);
              done.countDown();
            }

            @Override
            public void onCompleted() {
              done.countDown();
            }
          });
    }
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(failures).isEmpty();
    assertThat(answered).hasValue(calls);
    assertThat(nearHits(replicaA) + nearHits(replicaB) - nearHitsBefore).as("near-cache hits").isPositive();
    assertThat(count("method = ?", GET_API_KEYS) - before).isEqualTo(calls);
    assertThat(count(okByTheWorker, GET_API_KEYS) - okBefore).isEqualTo(calls);
    assertThat(verifier().verify().intact()).isTrue();
  }

  @Test
  void adminWritesAreRecordedWithTheirUserAndOutcome() {
    long before = count("method LIKE '%PutApiKey' AND user_id = 'writer'");
    as(ADMIN, ApiKeyAdminServiceGrpc.newBlockingStub(replicaB.channel())).putApiKey(PutApiKeyRequest.newBuilder()
        .setUserId("writer").setExchangeId(1).setAccessKey("a").setSecretKey(SECRET).build());
    try {
      as(ADMIN, ApiKeyAdminServiceGrpc.newBlockingStub(replicaB.channel())).putApiKey(PutApiKeyRequest.newBuilder()
          .setUserId("writer").setExchangeId(99).setAccessKey("a").setSecretKey(SECRET).build());
    } catch (io.grpc.StatusRuntimeException expected) {
      // exchange 99 is not registered
    }
    awaitCount(before + 2, "method LIKE '%PutApiKey' AND user_id = 'writer'");
    assertThat(count("method LIKE '%PutApiKey' AND user_id = 'writer' AND exchange_id = 99 AND outcome = 'INVALID_ARGUMENT'"))
        .isEqualTo(1);
  }

  @Test
  void anUpdatedRecordAndADeletedRecordAreEachFoundAtThatRecord() throws Exception {
    for (int i = 0; i < 20; i++) {
      as(WORKER, ApiKeyServiceGrpc.newBlockingStub(replicaA.channel())).getApiKeys(GetApiKeysRequest.newBuilder().setUserId("user-1").build());
    }
    UUID chain = replicaA.app().auditChainId();
    long target = 7;
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
      try {
        s.execute("UPDATE audit_log SET user_id = 'someone-else' WHERE chain_id = '" + chain + "' AND seq = " + target);
        AuditVerifier.Result changed = verifier().verify();
        assertThat(changed.intact()).isFalse();
        assertThat(changed.chainId()).isEqualTo(chain);
        assertThat(changed.firstBadSeq()).isEqualTo(target);
        assertThat(changed.detail()).contains("changed");

        s.execute("UPDATE audit_log SET user_id = 'user-1' WHERE chain_id = '" + chain + "' AND seq = " + target);
        assertThat(verifier().verify().intact()).as("restored").isTrue();

        String other = "chain_id = '" + chain + "' AND seq = " + (target + 3);
        s.execute("CREATE TEMPORARY TABLE deleted_record AS SELECT * FROM audit_log WHERE " + other);
        s.execute("DELETE FROM audit_log WHERE " + other);
        AuditVerifier.Result deleted = verifier().verify();
        assertThat(deleted.intact()).isFalse();
        assertThat(deleted.chainId()).isEqualTo(chain);
        assertThat(deleted.firstBadSeq()).isEqualTo(target + 3);
        assertThat(deleted.detail()).contains("deleted");

        s.execute("INSERT INTO audit_log SELECT * FROM deleted_record");
        assertThat(verifier().verify().intact()).as("put back").isTrue();
      } finally {
        s.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
      }
    }
  }

  @Test
  void refusalsAreRecorded_withTheRefusedTokensIdWhenItIsKnown() {
    long before = count("outcome IN ('UNAUTHENTICATED', 'PERMISSION_DENIED')");
    assertThat(catchThrowable(() -> ApiKeyServiceGrpc.newBlockingStub(replicaA.channel())
        .getApiKeys(GetApiKeysRequest.newBuilder().setUserId("user-1").build())))
        .hasMessageContaining("UNAUTHENTICATED");
    assertThat(catchThrowable(() -> as(WORKER, MarketServiceGrpc.newBlockingStub(replicaB.channel()))
        .putExchange(PutExchangeRequest.newBuilder().setExchangeId(2).setCode("kraken").build())))
        .hasMessageContaining("PERMISSION_DENIED");
    awaitCount(before + 2, "outcome IN ('UNAUTHENTICATED', 'PERMISSION_DENIED')");
    assertThat(count("method = ? AND outcome = 'UNAUTHENTICATED' AND token_id = ''", GET_API_KEYS)).isEqualTo(1);
    assertThat(count("method LIKE '%PutExchange' AND outcome = 'PERMISSION_DENIED' AND token_id LIKE 'env-worker-%'"))
        .isEqualTo(1);
  }

  @Test
  void tokensCreatedAndRevoked_areRecordedWithTheTokenActedOn_andAReadOutOfScopeIsRecordedAsARefusal() {
    var admin = as(ADMIN, TokenAdminServiceGrpc.newBlockingStub(replicaA.channel()));
    CreateTokenResponse created = admin.createToken(CreateTokenRequest.newBuilder().setName("reader of exchange 1")
        .addPermissions(Permission.PERMISSION_MARKET_DATA_READ)
        .setScope(TokenScope.newBuilder().addExchangeIds(1)).build());
    String newId = created.getInfo().getTokenId();
    // A new token reaches the other replica within about half a second (docs/security.md).
    io.tickvault.server.testing.Eventually.await("replica B knows the new token", java.time.Duration.ofSeconds(10), () -> {
      try {
        as(created.getToken(), AuthServiceGrpc.newBlockingStub(replicaB.channel())).whoAmI(WhoAmIRequest.getDefaultInstance());
        return true;
      } catch (io.grpc.StatusRuntimeException notYet) {
        return false;
      }
    });
    assertThat(catchThrowable(() -> as(created.getToken(), QueryServiceGrpc.newBlockingStub(replicaB.channel()))
        .getCoverage(GetCoverageRequest.newBuilder().setExchangeId(7).setCurrencyPairNo(1).build())))
        .hasMessageContaining("PERMISSION_DENIED");
    admin.revokeToken(RevokeTokenRequest.newBuilder().setTokenId(newId).build());

    awaitCount(1, "method LIKE '%/RevokeToken' AND subject = '" + newId + "'");
    assertThat(count("method LIKE '%/CreateToken' AND subject = ? AND token_id LIKE 'env-admin-%' AND outcome = 'OK'",
        newId)).isEqualTo(1);
    assertThat(count("method LIKE '%/RevokeToken' AND subject = ? AND token_id LIKE 'env-admin-%' AND outcome = 'OK'",
        newId)).isEqualTo(1);
    assertThat(count("method LIKE '%/GetCoverage' AND token_id = ? AND exchange_id = 7 AND outcome = 'PERMISSION_DENIED'",
        newId)).isEqualTo(1);
    List<AuditRecord> revocations = new ArrayList<>();
    as(ADMIN, AuditServiceGrpc.newBlockingStub(replicaB.channel())).readAuditLog(ReadAuditLogRequest.newBuilder()
        .setStartTimeMs(0).setEndTimeMs(Long.MAX_VALUE).build())
        .forEachRemaining(page -> page.getRecordsList().stream().filter(r -> r.getMethod().endsWith("/RevokeToken"))
            .forEach(revocations::add));
    assertThat(revocations).extracting(AuditRecord::getSubject).contains(newId);
    VerifyAuditLogResponse verified = as(ADMIN, AuditServiceGrpc.newBlockingStub(replicaB.channel()))
        .verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
    assertThat(verified.getIntact()).as(verified.getDetail()).isTrue();
  }

  @Test
  void aDumpOfTheDatabaseHoldsNoTokenAndNoSecret() throws Exception {
    as(WORKER, ApiKeyServiceGrpc.newBlockingStub(replicaB.channel())).getApiKeys(GetApiKeysRequest.newBuilder()
        .setUserId("user-2").build());
    Process dump = new ProcessBuilder("pg_dump", "--data-only", database.url().substring("jdbc:".length()))
        .redirectErrorStream(true).start();
    String text = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(dump.waitFor()).as(text).isZero();
    assertThat(text).contains("COPY public.audit_log").contains("user-2")
        .doesNotContain(SECRET).doesNotContain(WORKER).doesNotContain(ADMIN);
  }

  @Test
  void readAuditLog_pagesThroughOneUsersRecords_andResumesFromAPageToken() {
    for (int i = 0; i < 5; i++) {
      as(WORKER, ApiKeyServiceGrpc.newBlockingStub(i % 2 == 0 ? replicaA.channel() : replicaB.channel()))
          .getApiKeys(GetApiKeysRequest.newBuilder().setUserId("user-3").build());
    }
    AuditServiceGrpc.AuditServiceBlockingStub audit = as(ADMIN, AuditServiceGrpc.newBlockingStub(replicaA.channel()));
    ReadAuditLogRequest request = ReadAuditLogRequest.newBuilder().setUserId("user-3").setPageSize(2).build();
    List<ReadAuditLogResponse> pages = new ArrayList<>();
    audit.readAuditLog(request).forEachRemaining(pages::add);
    List<AuditRecord> all = pages.stream().flatMap(p -> p.getRecordsList().stream()).toList();
    assertThat(all).hasSizeGreaterThanOrEqualTo(5).allSatisfy(r -> {
      assertThat(r.getUserId()).isEqualTo("user-3");
      assertThat(r.getHash().size()).isEqualTo(32);
    });
    assertThat(all).extracting(AuditRecord::getTimeMs).isSorted();
    assertThat(pages.get(0).getRecordsCount()).isEqualTo(2);
    assertThat(pages.get(pages.size() - 1).getNextPageToken()).isEmpty();

    List<AuditRecord> resumed = new ArrayList<>();
    audit.readAuditLog(request.toBuilder().setPageToken(pages.get(0).getNextPageToken()).build())
        .forEachRemaining(p -> resumed.addAll(p.getRecordsList()));
    assertThat(resumed).isEqualTo(all.subList(2, all.size()));

    assertThat(catchThrowable(() -> as(WORKER, AuditServiceGrpc.newBlockingStub(replicaA.channel()))
        .readAuditLog(request).forEachRemaining(p -> { }))).hasMessageContaining("PERMISSION_DENIED");
  }

  @Test
  void verifyAuditLogOverGrpc_givesEveryChainsHead() {
    VerifyAuditLogResponse verified = as(ADMIN, AuditServiceGrpc.newBlockingStub(replicaB.channel()))
        .verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
    assertThat(verified.getIntact()).as(verified.getDetail()).isTrue();
    assertThat(verified.getRecordsChecked()).isPositive();
    assertThat(verified.getChainHeadsList()).extracting(AuditChainHead::getChainId)
        .contains(replicaA.app().auditChainId().toString(), replicaB.app().auditChainId().toString());
  }

  @Test
  void theTableRefusesUpdateAndDelete() throws Exception {
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
      assertThat(catchThrowable(() -> s.execute("DELETE FROM audit_log")))
          .hasMessageContaining("append-only");
    }
  }

  private static AuditVerifier verifier() {
    return new AuditVerifier(new AuditRepository(database.jdbc()), AuditKeys.of(new byte[32], List.of()));
  }

  private static double nearHits(InProcessApp app) {
    return MetricValues.counter(app.app().metrics().registry(), "tickvault_api_key_near_cache_hits_total");
  }

  private static long count(String where, Object... params) {
    return database.jdbc().queryOne("SELECT count(*) FROM audit_log WHERE " + where, row -> row.getLong(1), params)
        .orElseThrow();
  }

  private static void awaitCount(long expected, String where) {
    io.tickvault.server.testing.Eventually.await("audit records", java.time.Duration.ofSeconds(10),
        () -> count(where) >= expected);
    assertThat(count(where)).isEqualTo(expected);
  }
}
