package io.tickvault.server.apikeys;

import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgument;
import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgumentFields;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.DeleteApiKeyRequest;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.PutApiKeyResponse;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.app.Application;
import io.tickvault.server.config.ApiKeySettings;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GetApiKeys through the Redis read-through cache and the admin writes, on real PostgreSQL and Redis. */
class ApiKeyServiceIT {
  static final byte[] MASTER_KEY = randomKey();

  @RegisterExtension
  static TestServer server = TestServer.inProcess().configure(b -> b.masterKey(MASTER_KEY));

  static RedisClient redisClient;
  static StatefulRedisConnection<String, byte[]> redis;

  private ApiKeyServiceGrpc.ApiKeyServiceBlockingStub keys;
  private ApiKeyAdminServiceGrpc.ApiKeyAdminServiceBlockingStub admin;
  private String user;

  @BeforeAll
  static void registerExchangesAndConnectRedis() {
    MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(server.channel());
    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(2).setCode("upbit").build());
    redisClient = RedisClient.create(server.app().redisUrl());
    redis = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
  }

  @AfterAll
  static void closeRedis() {
    redis.close();
    redisClient.shutdown();
  }

  @BeforeEach
  void setUp() {
    keys = ApiKeyServiceGrpc.newBlockingStub(server.channel());
    admin = ApiKeyAdminServiceGrpc.newBlockingStub(server.channel());
    user = "user-" + UUID.randomUUID(); // the tests' Redis is shared: keys of our own
  }

  @Test
  void putThenGet_returnsTheKeysWithPlainSecretsInOrder() {
    PutApiKeyResponse put = admin.putApiKey(put(user, 2, "AK-UPBIT", "secret-upbit", "main"));
    admin.putApiKey(put(user, 1, "AK-B", "secret-b", ""));
    admin.putApiKey(put(user, 1, "AK-A", "secret-a", "read-only"));

    assertThat(put.getCreated()).isTrue();
    assertThat(put.getUpdateTimeMs()).isPositive();
    List<ApiKey> all = get(user, 0);
    assertThat(all).extracting(ApiKey::getExchangeId, ApiKey::getAccessKey, ApiKey::getSecretKey, ApiKey::getLabel)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, "AK-A", "secret-a", "read-only"),
            org.assertj.core.groups.Tuple.tuple(1, "AK-B", "secret-b", ""),
            org.assertj.core.groups.Tuple.tuple(2, "AK-UPBIT", "secret-upbit", "main"));
    assertThat(all).allSatisfy(k -> assertThat(k.getUserId()).isEqualTo(user));
    assertThat(all.get(2).getUpdateTimeMs()).isEqualTo(put.getUpdateTimeMs());
    assertThat(get(user, 2)).extracting(ApiKey::getAccessKey).containsExactly("AK-UPBIT");
    assertThat(get(user, 3)).isEmpty();
  }

  @Test
  void secondGet_isAHitServedFromRedisWithoutPostgres() {
    admin.putApiKey(put(user, 1, "AK", "secret-1", "before"));
    double hits = counter("tickvault_api_key_cache_requests_total", "result", "hit");
    double misses = counter("tickvault_api_key_cache_requests_total", "result", "miss");

    assertThat(get(user, 0)).extracting(ApiKey::getLabel).containsExactly("before");
    // Changed behind the server's back: only a cache hit still answers "before".
    server.database().jdbc().execute("UPDATE exchange_api_keys SET label = 'after' WHERE user_id = ?", user);
    double loads = counter("tickvault_api_key_database_loads_total");

    assertThat(get(user, 0)).extracting(ApiKey::getLabel).containsExactly("before");
    assertThat(get(user, 1)).extracting(ApiKey::getLabel).containsExactly("before");
    assertThat(counter("tickvault_api_key_cache_requests_total", "result", "miss")).isEqualTo(misses + 1);
    assertThat(counter("tickvault_api_key_cache_requests_total", "result", "hit")).isEqualTo(hits + 2);
    assertThat(counter("tickvault_api_key_database_loads_total")).isEqualTo(loads);
  }

  @Test
  void entryIsWrittenWithTheTtlPlusJitter() {
    admin.putApiKey(put(user, 1, "AK", "s", ""));
    get(user, 0);

    long ttlMs = redis.sync().pttl("api_keys:" + user);
    long configured = ApiKeySettings.DEFAULT_TTL.toMillis();
    assertThat(ttlMs).isBetween(configured - 5_000, configured + configured / 10);
  }

  @Test
  void userWithoutKeys_getsAnEmptyListCachedForAShorterTime() {
    assertThat(get(user, 0)).isEmpty();

    long ttlMs = redis.sync().pttl("api_keys:" + user);
    long negative = ApiKeySettings.DEFAULT_TTL.toMillis() / 10;
    assertThat(ttlMs).isBetween(negative - 5_000, negative + negative / 10);
    // Cached: a row added behind the server's back is not seen...
    insertBehindTheServersBack(user, 1, "AK-HIDDEN");
    assertThat(get(user, 0)).isEmpty();
    // ...but a put through the service invalidates the empty entry at once.
    admin.putApiKey(put(user, 2, "AK", "s", ""));
    assertThat(get(user, 0)).extracting(ApiKey::getAccessKey).containsExactly("AK-HIDDEN", "AK");
  }

  @Test
  void concurrentMisses_costOneDatabaseQuery() throws Exception {
    admin.putApiKey(put(user, 1, "AK", "secret", ""));
    redis.sync().del("api_keys:" + user);
    int callers = 12;
    double loads = counter("tickvault_api_key_database_loads_total");
    double joined = counter("tickvault_api_key_coalesced_loads_total");
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    // Hold the table so the first load waits until every caller has joined it.
    try (Connection lock = server.database().dataSource().getConnection()) {
      lock.setAutoCommit(false);
      try (Statement s = lock.createStatement()) {
        s.execute("LOCK TABLE exchange_api_keys IN ACCESS EXCLUSIVE MODE");
      }
      List<Future<List<ApiKey>>> answers = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        answers.add(pool.submit(() -> get(user, 0)));
      }
      awaitCounter("tickvault_api_key_coalesced_loads_total", joined + callers - 1);
      lock.commit();

      for (Future<List<ApiKey>> answer : answers) {
        assertThat(answer.get(10, TimeUnit.SECONDS)).extracting(ApiKey::getSecretKey).containsExactly("secret");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(counter("tickvault_api_key_database_loads_total")).isEqualTo(loads + 1);
  }

  @Test
  void putAndDeleteOnOneServer_areSeenByAnotherSharingPostgresAndRedisWithin100Ms() {
    try (SecondServer other = new SecondServer()) {
      ApiKeyServiceGrpc.ApiKeyServiceBlockingStub otherKeys = ApiKeyServiceGrpc.newBlockingStub(other.channel);
      double messagesBefore = MetricValues.counter(other.app.metrics().registry(), "tickvault_api_key_invalidations_received_total");
      List<Long> visibleAfterMs = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        String secret = "secret-" + i;
        PutApiKeyResponse put = admin.putApiKey(put(user, 1, "AK", secret, "v" + i));
        assertThat(put.getCreated()).isEqualTo(i == 1);
        visibleAfterMs.add(msUntil(() -> otherKeys.getApiKeys(request(user, 0)).getApiKeysList().stream()
            .anyMatch(k -> k.getSecretKey().equals(secret))));
        awaitNearCacheHit(other, otherKeys); // the next change must evict a near cache entry
      }

      assertThat(admin.deleteApiKey(delete(user, 1, "AK")).getDeleted()).isTrue();
      visibleAfterMs.add(msUntil(() -> otherKeys.getApiKeys(request(user, 0)).getApiKeysList().isEmpty()));

      // Pushed, not waited out: the fastest change shows within 100 ms (the near cache alone would
      // hold an entry up to 1 s), and none takes longer than a loaded machine can explain.
      assertThat(visibleAfterMs).as("ms until the other server saw each change").allSatisfy(ms -> assertThat(ms).isLessThan(2_000));
      assertThat(visibleAfterMs.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(100);
      assertThat(MetricValues.counter(other.app.metrics().registry(), "tickvault_api_key_invalidations_received_total"))
          .isGreaterThanOrEqualTo(messagesBefore + 5);
      assertThat(admin.deleteApiKey(delete(user, 1, "AK")).getDeleted()).isFalse();
    }
  }

  /** Calls until the other server answers from its near cache, so the test exercises its eviction. */
  private void awaitNearCacheHit(SecondServer other, ApiKeyServiceGrpc.ApiKeyServiceBlockingStub otherKeys) {
    double before = MetricValues.counter(other.app.metrics().registry(), "tickvault_api_key_near_cache_hits_total");
    Eventually.await("a near cache hit on the other server", Duration.ofSeconds(10), () -> {
      otherKeys.getApiKeys(request(user, 0));
      return MetricValues.counter(other.app.metrics().registry(), "tickvault_api_key_near_cache_hits_total") > before;
    });
  }

  /** Milliseconds until the condition holds, polling; fails after 5 s. */
  private static long msUntil(java.util.function.BooleanSupplier condition) {
    return Eventually.await("the change seen by the other server", Duration.ofSeconds(5), condition).toMillis();
  }

  @Test
  void secretIsNeitherInThePostgresRowNorInTheRedisValue() {
    String secret = "plain-secret-" + UUID.randomUUID();
    admin.putApiKey(put(user, 1, "AK", secret, "label"));
    get(user, 0);

    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
    String secretHex = HexFormat.of().formatHex(secretBytes);
    List<String> rows = server.database().jdbc().query(
        "SELECT t::text FROM exchange_api_keys t WHERE user_id = ?", r -> r.getString(1), user);
    byte[] ciphertext = server.database().jdbc().queryOne(
        "SELECT secret_ciphertext FROM exchange_api_keys WHERE user_id = ?", r -> r.getBytes(1), user).orElseThrow();
    byte[] cached = redis.sync().get("api_keys:" + user);

    assertThat(rows).hasSize(1);
    assertThat(rows.get(0)).doesNotContain(secret).doesNotContain(secretHex);
    assertThat(indexOf(ciphertext, secretBytes)).isEqualTo(-1);
    assertThat(cached).isNotNull();
    assertThat(indexOf(cached, secretBytes)).isEqualTo(-1);
    assertThat(new String(cached, StandardCharsets.ISO_8859_1)).doesNotContain(secretHex);
    assertThat(get(user, 0)).extracting(ApiKey::getSecretKey).containsExactly(secret);
  }

  @Test
  void tamperedCiphertext_isDataLossWithASafeMessage() {
    admin.putApiKey(put(user, 1, "AK", "tamper-me-secret", ""));
    server.database().jdbc().execute("""
        UPDATE exchange_api_keys SET secret_ciphertext = set_byte(secret_ciphertext, 20, get_byte(secret_ciphertext, 20) # 1)
        WHERE user_id = ?""", user);
    redis.sync().del("api_keys:" + user);

    StatusRuntimeException e = rpcError(() -> get(user, 0));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
    assertThat(e.getStatus().getDescription()).contains("cannot be decrypted").doesNotContain("tamper-me-secret");
  }

  @Test
  void ciphertextMovedToAnotherRow_doesNotDecrypt() {
    admin.putApiKey(put(user, 1, "AK-1", "secret-one", ""));
    admin.putApiKey(put(user, 1, "AK-2", "secret-two", ""));
    server.database().jdbc().execute("""
        UPDATE exchange_api_keys SET secret_ciphertext =
          (SELECT secret_ciphertext FROM exchange_api_keys WHERE user_id = ? AND access_key = 'AK-1')
        WHERE user_id = ? AND access_key = 'AK-2'""", user, user);
    redis.sync().del("api_keys:" + user);

    assertThat(rpcError(() -> get(user, 0)).getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
  }

  @Test
  void getWithoutUserId_isInvalidArgument() {
    assertInvalidArgument(rpcError(() -> get("", 0)), "user_id", "is required");
    assertInvalidArgument(rpcError(() -> get("u".repeat(129), 0)), "user_id", "must be at most 128 characters, got 129");
    assertInvalidArgument(rpcError(() -> get(user, -1)), "exchange_id", "must be 0 (every exchange) or positive, got -1");
    assertThat(get("u".repeat(128), 0)).isEmpty();
  }

  @Test
  void putWithABadField_isInvalidArgumentNamingIt() {
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put("", 1, "AK", "s", ""))), "user_id", "is required");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(user, 0, "AK", "s", ""))), "exchange_id", "is required");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(user, 9, "AK", "s", ""))),
        "exchange_id", "exchange 9 is not registered: PutExchange first");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(user, 1, "", "s", ""))), "access_key", "is required");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(user, 1, "A".repeat(257), "s", ""))),
        "access_key", "must be at most 256 characters, got 257");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(user, 1, "AK", "", ""))), "secret_key", "is required");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(user, 1, "AK", "s".repeat(1025), ""))),
        "secret_key", "must be at most 1024 characters, got 1025");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(user, 1, "AK", "s", "l".repeat(257)))),
        "label", "must be at most 256 characters, got 257");
    assertThat(get(user, 0)).isEmpty();
    // the limits themselves are allowed
    admin.putApiKey(put(user, 1, "A".repeat(256), "s".repeat(1024), "l".repeat(256)));
    assertThat(get(user, 0)).extracting(ApiKey::getSecretKey).containsExactly("s".repeat(1024));
  }

  @Test
  void nulInAStoredTextField_isInvalidArgument_whileTheEncryptedSecretMayHoldIt() {
    String nul = "a\0b";
    assertInvalidArgument(rpcError(() -> get(nul, 0)), "user_id", "must not contain the NUL character");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(nul, 1, "AK", "s", ""))),
        "user_id", "must not contain the NUL character");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(user, 1, nul, "s", ""))),
        "access_key", "must not contain the NUL character");
    assertInvalidArgument(rpcError(() -> admin.putApiKey(put(user, 1, "AK", "s", nul))),
        "label", "must not contain the NUL character");
    assertInvalidArgument(rpcError(() -> admin.deleteApiKey(delete(nul, 1, "AK"))),
        "user_id", "must not contain the NUL character");
    assertInvalidArgument(rpcError(() -> admin.deleteApiKey(delete(user, 1, nul))),
        "access_key", "must not contain the NUL character");
    assertThat(get(user, 0)).isEmpty();

    admin.putApiKey(put(user, 1, "AK", nul, ""));
    assertThat(get(user, 0)).extracting(ApiKey::getSecretKey).containsExactly(nul);
  }

  @Test
  void putWithSeveralBadFields_namesEveryOne() {
    assertInvalidArgumentFields(rpcError(() -> admin.putApiKey(put("", 0, "", "s", "l".repeat(257)))),
        "user_id", "is required", "exchange_id", "is required", "access_key", "is required",
        "label", "must be at most 256 characters, got 257");
    assertInvalidArgumentFields(rpcError(() -> get("", -1)),
        "user_id", "is required", "exchange_id", "must be 0 (every exchange) or positive, got -1");
  }

  @Test
  void deleteWithABadField_isInvalidArgumentNamingIt() {
    assertInvalidArgument(rpcError(() -> admin.deleteApiKey(delete("", 1, "AK"))), "user_id", "is required");
    assertInvalidArgument(rpcError(() -> admin.deleteApiKey(delete(user, 0, "AK"))), "exchange_id", "is required");
    assertInvalidArgument(rpcError(() -> admin.deleteApiKey(delete(user, 1, ""))), "access_key", "is required");
  }

  /** Another server process's stand-in: a second Application on the same database and Redis. */
  static final class SecondServer implements AutoCloseable {
    final Application app;
    final ManagedChannel channel;

    SecondServer() {
      String name = "second-" + UUID.randomUUID();
      app = Application.start(ServerConfig.builder()
          .databaseUrl(server.database().url())
          .redisUrl(server.app().redisUrl())
          .masterKey(MASTER_KEY)
          .grpcPort(0).metricsPort(0).bindAddress("127.0.0.1")
          .authDisabled(true)
          .shutdownGrace(java.time.Duration.ofSeconds(5))
          .build(), InProcessServerBuilder.forName(name));
      channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @Override
    public void close() {
      channel.shutdownNow();
      app.close();
    }
  }

  private List<ApiKey> get(String userId, int exchangeId) {
    return keys.getApiKeys(request(userId, exchangeId)).getApiKeysList();
  }

  private static GetApiKeysRequest request(String userId, int exchangeId) {
    return GetApiKeysRequest.newBuilder().setUserId(userId).setExchangeId(exchangeId).build();
  }

  static PutApiKeyRequest put(String userId, int exchangeId, String accessKey, String secret, String label) {
    return PutApiKeyRequest.newBuilder()
        .setUserId(userId).setExchangeId(exchangeId).setAccessKey(accessKey).setSecretKey(secret).setLabel(label).build();
  }

  static DeleteApiKeyRequest delete(String userId, int exchangeId, String accessKey) {
    return DeleteApiKeyRequest.newBuilder().setUserId(userId).setExchangeId(exchangeId).setAccessKey(accessKey).build();
  }

  private static void insertBehindTheServersBack(String userId, int exchangeId, String accessKey) {
    ApiKeySecrets secrets = new ApiKeySecrets(new io.tickvault.server.crypto.SecretCipher(
        io.tickvault.server.crypto.MasterKeys.of(MASTER_KEY, List.of())));
    new ApiKeyRepository(server.database().jdbc()).put(secrets.seal(userId, exchangeId, accessKey, "hidden", ""));
  }

  private static double counter(String name, String... labels) {
    return MetricValues.counter(server.app().metrics().registry(), name, labels);
  }

  private static void awaitCounter(String name, double atLeast) {
    Eventually.await(name + " at " + atLeast + " or more", Duration.ofSeconds(10), () -> counter(name) >= atLeast);
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}
