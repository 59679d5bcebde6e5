package io.tickvault.server.marketstate;

import static io.tickvault.server.testing.QueryCalls.TRADE_ORDER;
import static io.tickvault.server.testing.QueryCalls.ingestOrderBooks;
import static io.tickvault.server.testing.QueryCalls.ingestTrades;
import static io.tickvault.server.testing.QueryCalls.snapshot;
import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.GetMarketStateResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.config.RedisSettings;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.OwnRedis;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GetMarketState: the greatest trade and snapshot whatever the order of arrival, on one server or
 * two writing at once; served from Redis, and from PostgreSQL within the Redis command timeout when
 * Redis is stopped or paused; Redis brought forward again when it returns. Each test has a Redis
 * of its own.
 */
class MarketStateIT {
  static final long T0 = TradeCalls.TIME;
  static final Duration TIMEOUT = RedisSettings.DEFAULT_TIMEOUT;
  static final long BOUND_MS = TIMEOUT.toMillis() + 1_000;

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  private final List<AutoCloseable> closeAfter = new ArrayList<>();

  @BeforeEach
  void emptyTables() {
    database.truncate("trades", "orderbook_snapshots", "orderbook_levels");
  }

  @AfterEach
  void tearDown() throws Exception {
    Collections.reverse(closeAfter);
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
  }

  @Test
  void lastTradeAndBook_areTheGreatestStored_notTheLastArrived_andComeFromRedis() {
    OwnRedis redis = own(OwnRedis.start());
    InProcessApp app = start(redis, TIMEOUT);
    TradeCalls.registerMarket(app.channel(), 1, 1, 2, 3);
    Trade newest = trade(1, 1, "b", T0 + 10, "12.30", "0.10");
    // Two markets' trades interleaved in one batch: each market gets its own newest.
    ingestTrades(app.channel(), List.of(trade(1, 3, "y", T0 + 40, "1", "1"), newest, trade(1, 3, "x", T0 + 50, "2", "1"),
        trade(1, 1, "a", T0 + 10, "13", "1"), trade(1, 3, "w", T0 + 30, "3", "1")));
    ingestTrades(app.channel(), List.of(trade(1, 1, "z", T0 + 9, "11", "1"))); // a backfill: older
    OrderBookSnapshot book = snapshot(1, 1, T0 + 20, 5, 3);
    ingestOrderBooks(app.channel(), List.of(book, snapshot(1, 1, T0 + 20, 4, 2)));
    ingestOrderBooks(app.channel(), List.of(snapshot(1, 1, T0 + 19, 9, 2)));

    awaitTrue("state served from Redis", () -> servedFromRedis(app, 1, expected(newest, book)));
    assertThat(state(app.channel())).isEqualTo(expected(newest, book));
    assertThat(state(app.channel()).getLastTrade().getPrice()).isEqualTo("12.30");
    assertThat(state(app.channel(), 3).getLastTrade().getTradeId()).isEqualTo("x");
    // A market with nothing stored has an empty state, cached as such.
    assertThat(state(app.channel(), 2)).isEqualTo(GetMarketStateResponse.getDefaultInstance());
    awaitTrue("empty state cached", () -> servedFromRedis(app, 2, GetMarketStateResponse.getDefaultInstance()));
    try (RedisClient client = RedisClient.create(redis.url())) {
      RedisCommands<String, String> commands = client.connect().sync();
      assertThat(commands.hget("market_state:{1:1}", "trade_key")).isEqualTo(String.format("%019d%s", T0 + 10, "b"));
      assertThat(commands.pttl("market_state:{1:1}")).isPositive();
      // What the sink offered for market 3, whose trades came between market 1's in the batch.
      awaitTrue("market 3's newest in Redis",
          () -> String.format("%019d%s", T0 + 50, "x").equals(commands.hget("market_state:{1:3}", "trade_key")));
      commands.flushall(); // a cold Redis: once the near entry expires, a call misses, answers from PostgreSQL and fills Redis
    }
    double misses = metric(app, "tickvault_market_state_requests_total", "result", "miss");
    awaitTrue("a miss answered from PostgreSQL", () -> {
      assertThat(state(app.channel())).isEqualTo(expected(newest, book));
      return metric(app, "tickvault_market_state_requests_total", "result", "miss") > misses;
    });
    awaitTrue("filled again", () -> servedFromRedis(app, 1, expected(newest, book)));
  }

  @Test
  void recordsSentWithoutAReceiveTime_areInTheStateWithTheTimeStoredForThem() throws Exception {
    OwnRedis redis = own(OwnRedis.start());
    InProcessApp app = start(redis, TIMEOUT);
    TradeCalls.registerMarket(app.channel(), 1, 1);
    Trade newest = trade(1, 1, "b", T0 + 1, "2", "1").toBuilder().setReceiveTimeMs(0).build();
    ingestTrades(app.channel(), List.of(newest, trade(1, 1, "a", T0, "1", "1").toBuilder().setReceiveTimeMs(0).build()));
    OrderBookSnapshot book = snapshot(1, 1, T0 + 2, 1, 2).toBuilder().setReceiveTimeMs(0).build();
    ingestOrderBooks(app.channel(), List.of(book));

    long tradeStored = storedReceiveTime("SELECT receive_time_ms FROM trades WHERE trade_id = 'b'");
    long bookStored = storedReceiveTime("SELECT receive_time_ms FROM orderbook_snapshots WHERE sequence_id = 1");
    assertThat(tradeStored).isGreaterThan(T0);
    assertThat(bookStored).isGreaterThan(T0);
    GetMarketStateResponse expected = expected(newest.toBuilder().setReceiveTimeMs(tradeStored).build(),
        book.toBuilder().setReceiveTimeMs(bookStored).build());
    assertThat(state(app.channel())).as("as offered, from the near cache").isEqualTo(expected);
    awaitTrue("the same from Redis", () -> servedFromRedis(app, 1, expected));
  }

  private static long storedReceiveTime(String sql) throws Exception {
    try (var c = database.dataSource().getConnection(); var rs = c.createStatement().executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getLong(1);
    }
  }

  @Test
  void ownWrites_areReadAtOnce_fromTheNearCache_andAnotherServersWithinItsTtl() {
    OwnRedis redis = own(OwnRedis.start());
    InProcessApp a = start(redis, TIMEOUT);
    InProcessApp b = start(redis, TIMEOUT);
    TradeCalls.registerMarket(a.channel(), 1, 1);
    Trade first = trade(1, 1, "1", T0, "1", "1");
    ingestTrades(a.channel(), List.of(first));
    GetMarketStateResponse firstState = GetMarketStateResponse.newBuilder().setLastTrade(first).build();
    assertThat(state(a.channel())).isEqualTo(firstState);
    // B's first read fills its near cache (from Redis, or from PostgreSQL if A's offer has not reached Redis yet).
    assertThat(state(b.channel())).isEqualTo(firstState);
    for (int i = 2; i <= 20; i++) {
      Trade next = trade(1, 1, Integer.toString(i), T0 + i, "1", "1");
      ingestTrades(a.channel(), List.of(next));
      assertThat(state(a.channel()).getLastTrade()).as("A reads its own write at once").isEqualTo(next);
    }
    Trade last = trade(1, 1, "20", T0 + 20, "1", "1");
    double nearHits = metric(a, "tickvault_market_state_near_hits_total");
    awaitTrue("A answers from its near cache", () -> state(a.channel()).getLastTrade().equals(last)
        && metric(a, "tickvault_market_state_near_hits_total") > nearHits);
    awaitTrue("B sees A's last write once its near entry expires",
        () -> state(b.channel()).getLastTrade().equals(last));
  }

  @Test
  void concurrentWritersOnTwoServers_neverMoveTheStateBack() throws Exception {
    OwnRedis redis = own(OwnRedis.start());
    // A generous timeout: a read falling back to PostgreSQL while Redis lags its commits would
    // make the monotonic check below see a state newer than Redis holds.
    InProcessApp a = start(redis, Duration.ofSeconds(5));
    InProcessApp b = start(redis, Duration.ofSeconds(5));
    TradeCalls.registerMarket(a.channel(), 1, 1);
    ingestTrades(a.channel(), List.of(trade(1, 1, "seed", T0, "1", "1")));
    ingestOrderBooks(a.channel(), List.of(snapshot(1, 1, T0, 0, 1)));
    GetMarketStateResponse seed = state(a.channel());
    assertThat(seed.hasLastOrderBook()).isTrue();
    // One server at a time: each reads Redis only once its near entry (200 ms) has expired, and the
    // two entries, filled a few ms apart, can expire in turn forever, never in the same poll.
    awaitTrue("seeded in Redis, read by A", () -> servedFromRedis(a, 1, seed));
    awaitTrue("seeded in Redis, read by B", () -> servedFromRedis(b, 1, seed));

    List<Trade> trades = new ArrayList<>();
    List<OrderBookSnapshot> books = new ArrayList<>();
    for (int i = 1; i <= 4_000; i++) {
      trades.add(trade(1, 1, "t" + i, T0 + i / 3, "100." + i, "1"));
    }
    for (int i = 1; i <= 400; i++) {
      books.add(snapshot(1, 1, T0 + i / 2, i % 2, 2));
    }
    Collections.shuffle(trades, new Random(1));
    Collections.shuffle(books, new Random(2));
    ExecutorService pool = Executors.newFixedThreadPool(5);
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      Channel channel = w % 2 == 0 ? a.channel() : b.channel();
      int from = w;
      writers.add(pool.submit(() -> {
        for (int i = from * 10; i < trades.size(); i += 40) {
          ingestTrades(channel, trades.subList(i, Math.min(i + 10, trades.size())));
          int book = i / 10;
          if (book < books.size()) {
            ingestOrderBooks(channel, List.of(books.get(book)));
          }
        }
        return null;
      }));
    }
    // Each server's answers never move back. (Across servers, one may answer up to its near
    // cache's TTL behind the other: that is checked by the last step.)
    Future<Integer> reader = pool.submit(() -> {
      Trade[] lastTrade = new Trade[2];
      OrderBookSnapshot[] lastBook = new OrderBookSnapshot[2];
      int reads = 0;
      while (writing.get()) {
        int server = reads % 2;
        GetMarketStateResponse s = state(server == 0 ? a.channel() : b.channel());
        if (lastTrade[server] != null) {
          assertThat(TRADE_ORDER.compare(s.getLastTrade(), lastTrade[server])).as("trade moved back").isGreaterThanOrEqualTo(0);
          assertThat(BOOK_ORDER.compare(s.getLastOrderBook(), lastBook[server])).as("book moved back").isGreaterThanOrEqualTo(0);
        }
        lastTrade[server] = s.getLastTrade();
        lastBook[server] = s.getLastOrderBook();
        reads++;
      }
      return reads;
    });
    for (Future<?> w : writers) {
      w.get(120, TimeUnit.SECONDS);
    }
    writing.set(false);
    assertThat(reader.get(30, TimeUnit.SECONDS)).isPositive();
    pool.shutdown();

    Trade newestTrade = trades.stream().max(TRADE_ORDER).orElseThrow();
    OrderBookSnapshot newestBook = books.stream().max(BOOK_ORDER).orElseThrow();
    GetMarketStateResponse expected = expected(newestTrade, newestBook);
    awaitTrue("both servers see the newest state", () -> state(a.channel()).equals(expected) && state(b.channel()).equals(expected));
    assertThat(metric(a, "tickvault_market_state_requests_total", "result", "error")).isZero();
  }

  @Test
  void redisStopped_answersFromPostgresWithinTheTimeout_ingestionGoesOn_andRedisIsRepairedWhenBack() {
    OwnRedis redis = own(OwnRedis.start());
    InProcessApp app = start(redis, TIMEOUT);
    TradeCalls.registerMarket(app.channel(), 1, 1);
    Trade first = trade(1, 1, "1", T0, "1.10", "1");
    ingestTrades(app.channel(), List.of(first));
    GetMarketStateResponse firstState = GetMarketStateResponse.newBuilder().setLastTrade(first).build();
    awaitTrue("cached", () -> servedFromRedis(app, 1, firstState));

    redis.stop();
    for (int i = 0; i < 10; i++) {
      assertThat(timedState(app).getLastTrade()).isEqualTo(first);
    }
    // The near cache is bypassed once the lost connection is noticed (at the latest when its entry expires).
    awaitTrue("answered from PostgreSQL", () -> timedState(app).getLastTrade().equals(first)
        && metric(app, "tickvault_market_state_requests_total", "result", "error") > 0);

    Trade second = trade(1, 1, "2", T0 + 1, "2.20", "1");
    ingestTrades(app.channel(), List.of(second)); // the write stands; Redis missed it
    awaitTrue("the failed offer is counted", () -> metric(app, "tickvault_market_state_redis_errors_total", "operation", "offer") > 0);
    assertThat(timedState(app).getLastTrade()).isEqualTo(second);

    redis.restart(); // empty; the server writes what Redis missed without being asked
    try (RedisClient client = RedisClient.create(redis.url())) {
      RedisCommands<String, String> commands = client.connect().sync();
      awaitTrue("repaired from PostgreSQL", () -> String.format("%019d%s", T0 + 1, "2").equals(commands.hget("market_state:{1:1}", "trade_key")));
    }
    awaitTrue("served from Redis again", () -> servedFromRedis(app, 1, GetMarketStateResponse.newBuilder().setLastTrade(second).build()));
  }

  @Test
  void redisPaused_eachCallAnswersFromPostgresWithinTheTimeout() {
    OwnRedis redis = own(OwnRedis.start());
    InProcessApp app = start(redis, TIMEOUT);
    TradeCalls.registerMarket(app.channel(), 1, 1);
    Trade trade = trade(1, 1, "p", T0, "3.000", "1");
    OrderBookSnapshot book = snapshot(1, 1, T0, 1, 4);
    ingestTrades(app.channel(), List.of(trade));
    ingestOrderBooks(app.channel(), List.of(book));
    awaitTrue("cached", () -> servedFromRedis(app, 1, expected(trade, book)));

    try (RedisClient client = RedisClient.create(redis.url())) {
      // CLIENT PAUSE holds every client's commands, like a Redis stuck in a long command.
      client.connect().sync().clientPause(3_000);
      double errors = metric(app, "tickvault_market_state_redis_errors_total", "operation", "lookup");
      for (int i = 0; i < 10; i++) {
        assertThat(timedState(app)).isEqualTo(expected(trade, book));
      }
      // The connection stays open: the near entry is served until it expires, then a lookup times out.
      awaitTrue("a lookup timed out, answered from PostgreSQL", () -> timedState(app).equals(expected(trade, book))
          && metric(app, "tickvault_market_state_redis_errors_total", "operation", "lookup") > errors);
    }
    awaitTrue("served from Redis after the pause", () -> servedFromRedis(app, 1, expected(trade, book)));
  }

  static final Comparator<OrderBookSnapshot> BOOK_ORDER = Comparator.comparingLong(OrderBookSnapshot::getServerTimeMs)
      .thenComparingLong(OrderBookSnapshot::getSequenceId);

  private InProcessApp start(OwnRedis redis, Duration redisTimeout) {
    return own(InProcessApp.start(InProcessApp.config(database.url()).redisUrl(redis.url()).redisTimeout(redisTimeout).build()));
  }

  private <T extends AutoCloseable> T own(T resource) {
    closeAfter.add(resource);
    return resource;
  }

  private static GetMarketStateResponse expected(Trade trade, OrderBookSnapshot book) {
    return GetMarketStateResponse.newBuilder().setLastTrade(trade).setLastOrderBook(book).build();
  }

  private static GetMarketStateResponse state(Channel channel) {
    return state(channel, 1);
  }

  private static GetMarketStateResponse state(Channel channel, int pairNo) {
    return QueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .getMarketState(GetMarketStateRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(pairNo).build());
  }

  private static GetMarketStateResponse timedState(InProcessApp app) {
    long started = System.nanoTime();
    GetMarketStateResponse s = state(app.channel());
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("GetMarketState with Redis failing, ms")
        .isLessThan(BOUND_MS);
    return s;
  }

  /** True when GetMarketState answers this state and counted a Redis hit for it (not a near-cache hit). */
  private static boolean servedFromRedis(InProcessApp app, int pairNo, GetMarketStateResponse expected) {
    double before = redisHits(app);
    return state(app.channel(), pairNo).equals(expected) && redisHits(app) > before;
  }

  private static double redisHits(InProcessApp app) {
    return metric(app, "tickvault_market_state_requests_total", "result", "hit")
        - metric(app, "tickvault_market_state_near_hits_total");
  }

  private static double metric(InProcessApp app, String name, String label, String value) {
    PrometheusRegistry registry = app.app().metrics().registry();
    return MetricValues.counter(registry, name, label, value);
  }

  private static double metric(InProcessApp app, String name) {
    return MetricValues.counter(app.app().metrics().registry(), name);
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    Eventually.await(what, Duration.ofSeconds(30), condition);
  }
}
