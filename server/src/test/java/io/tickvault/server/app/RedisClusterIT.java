package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.GetMarketStateResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.server.redis.RedisKeys;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.OwnRedisCluster;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.trade.TradeCalls;
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
 * The API key cache and the market state on a real Redis Cluster of six nodes (three masters,
 * three replicas): two servers share it, as replicas behind a load balancer would. Entries of
 * users and markets in every master's slots fill and hit; a write on one server evicts the other's
 * near cache through cluster pub/sub; and with the master of a user's and a market's slot SIGKILLed
 * while calls run, every GetApiKeys and GetMarketState still answers right within the command
 * timeout (+ 1 s of slack for a busy machine), and once the replica has taken over both caches hit
 * again and invalidations still reach both servers. The failover runs last: it leaves the cluster
 * with one master less.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT {
  private static final Logger log = LoggerFactory.getLogger(RedisClusterIT.class);
  private static final int EXCHANGE = 1;
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
  void marketStatesInEveryMastersSlotsFillAndHit() {
    List<Integer> pairs = new java.util.ArrayList<>();
    Set<Integer> masters = new HashSet<>();
    for (int pair = 100; masters.size() < 3 || pairs.size() < 6; pair++) {
      masters.add(cluster.masterPortOf(marketKey(pair)));
      pairs.add(pair);
    }
    for (int pair : pairs) {
      registerPair(pair);
      ingestTrade(pair, "first-" + pair);
    }
    for (int pair : pairs) {
      assertThat(lastTradeId(b, pair)).isEqualTo("first-" + pair);
    }
    // Filled by ingestion after commit or by B's first reads: from now on both servers hit.
    double hits = counter(a, "tickvault_market_state_requests_total", "result", "hit")
        + counter(b, "tickvault_market_state_requests_total", "result", "hit");
    for (int pair : pairs) {
      assertThat(lastTradeId(a, pair)).isEqualTo("first-" + pair);
      assertThat(lastTradeId(b, pair)).isEqualTo("first-" + pair);
    }
    assertThat(counter(a, "tickvault_market_state_requests_total", "result", "hit")
        + counter(b, "tickvault_market_state_requests_total", "result", "hit")).isEqualTo(hits + 2 * pairs.size());
    for (int pair : pairs) {
      int master = cluster.masterPortOf(marketKey(pair));
      long present = cluster.onNode(master, c -> c.sync().exists(marketKey(pair)));
      assertThat(present).as("market %d's state on the master of its slot", pair).isEqualTo(1L);
    }
  }

  @Test
  @Order(3)
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
  @Order(4)
  void masterOfAUsersAndAMarketsSlotKilled_everyCallAnswersInTimeAndHitsResumeAfterFailover() {
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
    int market = marketOn(victim);
    registerPair(market);
    ingestTrade(market, "last");
    assertThat(lastTradeId(a, market)).isEqualTo("last");
    assertThat(lastTradeId(b, market)).isEqualTo("last");
    double errors = counter(a, "tickvault_redis_errors_total", "operation", "lookup")
        + counter(b, "tickvault_redis_errors_total", "operation", "lookup");
    double stateErrors = counter(a, "tickvault_market_state_requests_total", "result", "error")
        + counter(b, "tickvault_market_state_requests_total", "result", "error");

    cluster.kill(victim);
    long killedAt = System.nanoTime();
    int calls = 0;
    long slowestMs = 0;
    double redisHitsAfterFailover = -1;
    double stateHitsAfterFailover = -1;
    long deadline = killedAt + TimeUnit.SECONDS.toNanos(60);
    long failedOverMs = -1;
    while (true) {
      for (InProcessApp app : new InProcessApp[] {a, b}) {
        slowestMs = Math.max(slowestMs, timedCall(app, user, "secret"));
        slowestMs = Math.max(slowestMs, timedCall(app, other, "other-secret"));
        slowestMs = Math.max(slowestMs, timedState(app, market, "last"));
        calls += 3;
      }
      if (redisHitsAfterFailover < 0 && cluster.masterPortOf(valueKey(user)) != victim) {
        redisHitsAfterFailover = redisHits(a) + redisHits(b); // the replica has taken the slot over
        stateHitsAfterFailover = stateHits();
        failedOverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      } else if (redisHitsAfterFailover >= 0 && redisHits(a) + redisHits(b) > redisHitsAfterFailover + 10
          && stateHits() > stateHitsAfterFailover + 10) {
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
    assertThat(counter(a, "tickvault_market_state_requests_total", "result", "error")
        + counter(b, "tickvault_market_state_requests_total", "result", "error"))
        .as("the dead master failed market state lookups, answered from PostgreSQL").isGreaterThan(stateErrors);

    // Invalidations still reach both servers: each is subscribed (again) through a live node.
    awaitTrue("both servers subscribed through live nodes", () -> subscribers() == 2);
    double received = counter(b, "tickvault_api_key_invalidations_received_total");
    admin(a).putApiKey(put(user, 1, "AK", "rotated", ""));
    awaitTrue("B receives A's invalidation after the failover",
        () -> counter(b, "tickvault_api_key_invalidations_received_total") > received);
    assertThat(secrets(b, user)).containsExactly("rotated");
    assertThat(secrets(a, user)).containsExactly("rotated");
  }

  /** A currency pair number of exchange 1 whose market state the given master serves. */
  private static int marketOn(int master) {
    for (int pair = 1_000; ; pair++) {
      if (cluster.masterPortOf(marketKey(pair)) == master) {
        return pair;
      }
    }
  }

  /** The market state's key: one hash per market, the market its hash tag (MarketStateRedis). */
  private static String marketKey(int pair) {
    return "market_state:{" + EXCHANGE + ":" + pair + "}";
  }

  private static void registerPair(int pair) {
    MarketServiceGrpc.newBlockingStub(a.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .putCurrencyPair(PutCurrencyPairRequest.newBuilder().setExchangeId(EXCHANGE).setCurrencyPairNo(pair)
            .setBaseCurrency("BTC").setQuoteCurrency("USDT").build());
  }

  private static void ingestTrade(int pair, String tradeId) {
    var response = TradeCalls.ingest(a.channel(), List.of(List.of(TradeCalls.trade(EXCHANGE, pair, tradeId, "64000.5", "0.1"))));
    assertThat(response.getInserted()).isEqualTo(1);
  }

  private static String lastTradeId(InProcessApp app, int pair) {
    GetMarketStateResponse state = QueryServiceGrpc.newBlockingStub(app.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getMarketState(GetMarketStateRequest.newBuilder().setExchangeId(EXCHANGE).setCurrencyPairNo(pair).build());
    return state.getLastTrade().getTradeId();
  }

  private static long timedState(InProcessApp app, int pair, String expected) {
    long started = System.nanoTime();
    assertThat(lastTradeId(app, pair)).isEqualTo(expected);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(tookMs).as("GetMarketState during the failover, ms").isLessThan(BOUND_MS);
    return tookMs;
  }

  private static double stateHits() {
    return counter(a, "tickvault_market_state_requests_total", "result", "hit")
        + counter(b, "tickvault_market_state_requests_total", "result", "hit");
  }

  private static PutApiKeyRequest put(String userId, int exchangeId, String accessKey, String secret, String label) {
    return PutApiKeyRequest.newBuilder()
        .setUserId(userId).setExchangeId(exchangeId).setAccessKey(accessKey).setSecretKey(secret).setLabel(label).build();
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
    return cluster.livePorts().stream().mapToInt(RedisClusterIT::subscribersOn).sum();
  }

  /**
   * Connections subscribed to the API key invalidations on this node. Servers subscribe to other
   * channels too (token revocations, trade commits), so connections with any subscription are not it.
   */
  private static int subscribersOn(int port) {
    String channel = "api_keys:invalidations"; // ApiKeyRedis.INVALIDATION_CHANNEL
    return cluster.onNode(port, c -> c.sync().pubsubNumsub(channel)).getOrDefault(channel, 0L).intValue();
  }

  private static String valueKey(String user) {
    return RedisKeys.CLUSTER.key("api_keys:", user); // ApiKeyRedis.VALUE_PREFIX
  }

  private static String versionKey(String user) {
    return RedisKeys.CLUSTER.key("api_keys_version:", user); // ApiKeyRedis.VERSION_PREFIX
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
