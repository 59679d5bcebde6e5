package io.tickvault.server.apikeys;

import static io.tickvault.server.apikeys.ApiKeyServiceIT.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.redis.RedisKeys;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.OwnRedisCluster;
import io.tickvault.server.testing.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API key cache on a real Redis Cluster of six nodes (three masters, three replicas): two
 * servers share it, as replicas behind a load balancer would. Entries of users in every master's
 * slots fill and hit; a write on one server evicts the other's near cache through cluster pub/sub;
 * and with the master of a user's slot SIGKILLed while calls run, every call still answers right
 * within the command timeout (+ 1 s of slack for a busy machine), and once the replica has taken
 * over the cache hits again and invalidations still reach both servers. The failover runs last: it
 * leaves the cluster with one master less.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiKeyCacheRedisClusterIT {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyCacheRedisClusterIT.class);
  static final Duration TIMEOUT = Duration.ofMillis(200);
  static final long BOUND_MS = TIMEOUT.toMillis() + 1_000;
  /** How long a node may be silent before the cluster fails it over (Redis' default is 15 s). */
  static final Duration NODE_TIMEOUT = Duration.ofMillis(1_500);

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  static OwnRedisCluster cluster;
  static InProcessApp a;
  static InProcessApp b;

  @BeforeAll
  static void startClusterAndTwoServers() {
    cluster = OwnRedisCluster.start(NODE_TIMEOUT);
    a = InProcessApp.start(config());
    b = InProcessApp.start(config());
    MarketServiceGrpc.newBlockingStub(a.channel())
        .putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
    awaitTrue("both servers subscribed to invalidations", () -> subscribers() == 2);
  }

  private static io.tickvault.server.config.ServerConfig config() {
    return InProcessApp.config(database.url())
        .redisUrl(cluster.urls())
        .redisCluster(true)
        .redisTimeout(TIMEOUT)
        .shutdownGrace(Duration.ofSeconds(5))
        .build();
  }

  @AfterAll
  static void stopAll() {
    for (AutoCloseable c : new AutoCloseable[] {a, b, cluster}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  @Test
  @Order(1)
  void entriesOfUsersInEveryMastersSlotsFillAndHit() {
    Map<String, String> secretOf = new HashMap<>();
    Set<Integer> masters = new HashSet<>();
    for (int i = 0; i < 24; i++) {
      String user = "user-" + UUID.randomUUID();
      secretOf.put(user, "secret-" + i);
      admin(a).putApiKey(put(user, 1, "AK", "secret-" + i, ""));
      masters.add(cluster.masterPortOf(valueKey(user)));
    }
    assertThat(masters).as("users spread over every master").hasSize(3);

    double loads = counter(a, "tickvault_api_key_database_loads_total");
    secretOf.forEach((user, secret) -> assertThat(secrets(a, user)).containsExactly(secret));
    assertThat(counter(a, "tickvault_api_key_database_loads_total")).isEqualTo(loads + 24);
    for (String user : secretOf.keySet()) {
      int master = cluster.masterPortOf(valueKey(user));
      long present = cluster.onNode(master, c -> c.sync().exists(valueKey(user), versionKey(user)));
      assertThat(present)
          .as("value and version key of %s on the master of their slot", user).isEqualTo(2L);
    }

    // B has never seen these users: its answers come from the entries A left in the cluster.
    double hits = counter(b, "tickvault_api_key_cache_requests_total", "result", "hit");
    double bLoads = counter(b, "tickvault_api_key_database_loads_total");
    secretOf.forEach((user, secret) -> assertThat(secrets(b, user)).containsExactly(secret));
    assertThat(counter(b, "tickvault_api_key_cache_requests_total", "result", "hit")).isEqualTo(hits + 24);
    assertThat(counter(b, "tickvault_api_key_database_loads_total")).isEqualTo(bLoads);
  }

  @Test
  @Order(2)
  void aWriteOnOneServerEvictsTheOthersNearCache() {
    String user = "user-" + UUID.randomUUID();
    double firstInvalidation = counter(b, "tickvault_api_key_invalidations_received_total");
    admin(a).putApiKey(put(user, 1, "AK", "old", ""));
    // The put's own invalidation travels over the cluster bus; let it pass before B caches the user.
    awaitTrue("B receives the first invalidation",
        () -> counter(b, "tickvault_api_key_invalidations_received_total") > firstInvalidation);
    assertThat(secrets(b, user)).containsExactly("old");
    double nearHits = counter(b, "tickvault_api_key_near_cache_hits_total");
    assertThat(secrets(b, user)).containsExactly("old");
    assertThat(counter(b, "tickvault_api_key_near_cache_hits_total")).as("B's near cache holds the user").isEqualTo(nearHits + 1);

    double received = counter(b, "tickvault_api_key_invalidations_received_total");
    admin(a).putApiKey(put(user, 1, "AK", "new", ""));
    awaitTrue("B receives A's invalidation", () -> counter(b, "tickvault_api_key_invalidations_received_total") > received);
    assertThat(secrets(b, user)).containsExactly("new");
  }

  @Test
  @Order(3)
  void masterOfAUsersSlotKilled_everyCallAnswersInTimeAndHitsResumeAfterFailover() {
    // Kill a master that also carries a server's invalidation subscription, when one does: that
    // server must then subscribe again through another node.
    List<Integer> masters = cluster.masterPorts();
    int victim = masters.stream().filter(port -> subscribersOn(port) > 0).findFirst().orElse(masters.get(0));
    int victimSubscribers = subscribersOn(victim);
    String user = userOn(victim);
    String other = userOn(masters.stream().filter(p -> p != victim).findFirst().orElseThrow());
    admin(a).putApiKey(put(user, 1, "AK", "secret", ""));
    admin(a).putApiKey(put(other, 1, "AK", "other-secret", ""));
    assertThat(secrets(a, user)).containsExactly("secret");
    assertThat(secrets(b, user)).containsExactly("secret");
    double errors = counter(a, "tickvault_redis_errors_total", "operation", "lookup")
        + counter(b, "tickvault_redis_errors_total", "operation", "lookup");

    cluster.kill(victim);
    long killedAt = System.nanoTime();
    int calls = 0;
    long slowestMs = 0;
    double redisHitsAfterFailover = -1;
    long deadline = killedAt + TimeUnit.SECONDS.toNanos(60);
    long failedOverMs = -1;
    while (true) {
      for (InProcessApp app : new InProcessApp[] {a, b}) {
        slowestMs = Math.max(slowestMs, timedCall(app, user, "secret"));
        slowestMs = Math.max(slowestMs, timedCall(app, other, "other-secret"));
        calls += 2;
      }
      if (redisHitsAfterFailover < 0 && cluster.masterPortOf(valueKey(user)) != victim) {
        redisHitsAfterFailover = redisHits(a) + redisHits(b); // the replica has taken the slot over
        failedOverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      } else if (redisHitsAfterFailover >= 0 && redisHits(a) + redisHits(b) > redisHitsAfterFailover + 10) {
        break;
      }
      assertThat(System.nanoTime()).as("failover and hits again within 60 s (%d calls, slowest %d ms)", calls, slowestMs)
          .isLessThan(deadline);
    }
    log.info("master {} (with {} subscriber(s)) SIGKILLed: replica serves its slots after {} ms, Redis hits again after {} ms; "
        + "{} calls, slowest {} ms", victim, victimSubscribers, failedOverMs,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), calls, slowestMs);
    assertThat(slowestMs).as("slowest of %d calls, ms", calls).isLessThan(BOUND_MS);
    assertThat(counter(a, "tickvault_redis_errors_total", "operation", "lookup")
        + counter(b, "tickvault_redis_errors_total", "operation", "lookup"))
        .as("the dead master failed lookups, answered from PostgreSQL").isGreaterThan(errors);

    // Invalidations still reach both servers: each is subscribed (again) through a live node.
    awaitTrue("both servers subscribed through live nodes", () -> subscribers() == 2);
    double received = counter(b, "tickvault_api_key_invalidations_received_total");
    admin(a).putApiKey(put(user, 1, "AK", "rotated", ""));
    awaitTrue("B receives A's invalidation after the failover",
        () -> counter(b, "tickvault_api_key_invalidations_received_total") > received);
    assertThat(secrets(b, user)).containsExactly("rotated");
    assertThat(secrets(a, user)).containsExactly("rotated");
  }

  /** A new user id whose slot the given master serves. */
  private static String userOn(int master) {
    while (true) {
      String user = "user-" + UUID.randomUUID();
      if (cluster.masterPortOf(valueKey(user)) == master) {
        return user;
      }
    }
  }

  private static long timedCall(InProcessApp app, String user, String expected) {
    long started = System.nanoTime();
    assertThat(secrets(app, user)).containsExactly(expected);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(tookMs).as("GetApiKeys during the failover, ms").isLessThan(BOUND_MS);
    return tookMs;
  }

  /** Hits answered by Redis itself, not by the near cache. */
  private static double redisHits(InProcessApp app) {
    return counter(app, "tickvault_api_key_cache_requests_total", "result", "hit")
        - counter(app, "tickvault_api_key_near_cache_hits_total");
  }

  private static int subscribers() {
    return cluster.livePorts().stream().mapToInt(ApiKeyCacheRedisClusterIT::subscribersOn).sum();
  }

  /** Connections subscribed to a channel on this node (CLIENT LIST shows sub=N for each). */
  private static int subscribersOn(int port) {
    String clients = cluster.onNode(port, c -> c.sync().clientList());
    return (int) clients.lines().filter(line -> !line.contains(" sub=0 ")).count();
  }

  private static String valueKey(String user) {
    return RedisKeys.CLUSTER.key(ApiKeyRedis.VALUE_PREFIX, user);
  }

  private static String versionKey(String user) {
    return RedisKeys.CLUSTER.key(ApiKeyRedis.VERSION_PREFIX, user);
  }

  private static List<String> secrets(InProcessApp app, String user) {
    return ApiKeyServiceGrpc.newBlockingStub(app.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .getApiKeys(GetApiKeysRequest.newBuilder().setUserId(user).build())
        .getApiKeysList().stream().map(ApiKey::getSecretKey).toList();
  }

  private static ApiKeyAdminServiceGrpc.ApiKeyAdminServiceBlockingStub admin(InProcessApp app) {
    return ApiKeyAdminServiceGrpc.newBlockingStub(app.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static double counter(InProcessApp app, String name, String... labels) {
    return MetricValues.counter(app.app().metrics().registry(), name, labels);
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    Eventually.await(what, Duration.ofSeconds(20), condition);
  }
}
