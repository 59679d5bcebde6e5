package io.tickvault.server.orderbook;

import static io.tickvault.server.testing.QueryCalls.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeOrderBooksResponse;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.market.MarketRepository;
import io.tickvault.server.metrics.SubscriptionMetrics;
import io.tickvault.server.read.PagedStream;
import io.tickvault.server.subscribe.CommitLog;
import io.tickvault.server.subscribe.CommitWatch;
import io.tickvault.server.subscribe.MarketSubscriptions;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.TestServer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a live SubscribeOrderBooks step costs PostgreSQL, against a real database: the log's
 * entries with the headers of their snapshots in one statement (those retention deleted since
 * left out, their entries kept), and a step that took every entry there was followed by a wait,
 * not by a read that could only come back empty (docs/subscribing.md).
 */
class OrderBookLiveStepIT {
  private static final long T0 = 1_764_000_000_000L;

  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  @BeforeAll
  static void registerMarkets() {
    OrderBookCalls.registerMarket(server.channel(), 1, 1, 2, 3);
  }

  @Test
  void entries_comeWithTheHeadersOfTheirSnapshots_inKeyOrder_perMarketInSeqOrder_andKeepTheirSeqWhenRetentionDeletedThem()
      throws Exception {
    // Three transactions of market 1/1 (the first out of key order), one of 1/2 between them.
    QueryCalls.ingestOrderBooks(server.channel(), List.of(snapshot(1, 1, T0 + 20, 0, 2), snapshot(1, 1, T0 + 10, 0, 2),
        snapshot(1, 1, T0 + 10, 1, 2)));
    QueryCalls.ingestOrderBooks(server.channel(), List.of(snapshot(1, 2, T0, 0, 4)));
    QueryCalls.ingestOrderBooks(server.channel(), List.of(snapshot(1, 1, T0 + 30, 0, 3)));
    QueryCalls.ingestOrderBooks(server.channel(), List.of(snapshot(1, 1, T0 + 40, 0, 2), snapshot(1, 1, T0 + 5, 0, 2)));
    // As the order books' retention does: the levels, then the header, of the third transaction's snapshot.
    Jdbc jdbc = server.database().jdbc();
    jdbc.execute("DELETE FROM orderbook_levels WHERE exchange_id = 1 AND currency_pair_no = 1 AND snapshot_id ="
        + " (SELECT snapshot_id FROM orderbook_snapshots WHERE server_time_ms = ?)", T0 + 30);
    jdbc.execute("DELETE FROM orderbook_snapshots WHERE exchange_id = 1 AND currency_pair_no = 1 AND server_time_ms = ?",
        T0 + 30);

    List<CommitLog.Entry<OrderBookReader.Header>> all = jdbc.withConnection(c -> OrderBookCommitLog.entries(c,
        new int[] {1, 1}, new int[] {1, 2}, new long[] {0, 0}, new long[] {Long.MAX_VALUE, Long.MAX_VALUE}, 32));
    assertThat(all).extracting(e -> e.market() + "/" + e.seq()).containsExactly("0/1", "0/2", "0/3", "1/1");
    assertThat(keys(all.get(0))).containsExactly(T0 + 10 + ":0", T0 + 10 + ":1", T0 + 20 + ":0");
    assertThat(all.get(1).items()).isEmpty(); // its one snapshot deleted: the seq still comes
    assertThat(keys(all.get(2))).containsExactly(T0 + 5 + ":0", T0 + 40 + ":0");
    assertThat(keys(all.get(3))).containsExactly(T0 + ":0");
    assertThat(all.get(3).items().get(0)).satisfies(h -> {
      assertThat(h.bidCount()).isEqualTo(4);
      assertThat(h.askCount()).isEqualTo(4);
      assertThat(h.levels(3)).isEqualTo(6);
    });
    assertThat(all).allMatch(e -> e.committedAtMs() > T0);

    // After a seq, up to a seq, at most so many a market.
    List<CommitLog.Entry<OrderBookReader.Header>> some = jdbc.withConnection(c -> OrderBookCommitLog.entries(c,
        new int[] {1, 1}, new int[] {1, 2}, new long[] {1, 1}, new long[] {Long.MAX_VALUE, Long.MAX_VALUE}, 1));
    assertThat(some).extracting(e -> e.market() + "/" + e.seq()).containsExactly("0/2");
    some = jdbc.withConnection(c -> OrderBookCommitLog.entries(c, new int[] {1}, new int[] {1}, new long[] {0},
        new long[] {2}, 32));
    assertThat(some).extracting(CommitLog.Entry::seq).containsExactly(1L, 2L);
  }

  @Test
  void aLiveStep_readsTheLogAndTheLevelsInTwoStatementsOnOneConnection_thenWaitsForTheWatch_withoutReadingAgain()
      throws Exception {
    AtomicInteger connections = new AtomicInteger();
    AtomicInteger statements = new AtomicInteger();
    Jdbc counted = new Jdbc(counting(server.database().dataSource(), connections, statements));
    CommitWatch watch = new CommitWatch();
    OrderBookSubscriptions subscriptions = new OrderBookSubscriptions(new MarketSubscriptions(counted, watch,
        new KnownMarkets(new MarketRepository(counted), Clock.systemUTC()),
        SubscriptionMetrics.orderBooks(new PrometheusRegistry()), Clock.systemUTC()));
    PagedStream.Pager<SubscribeOrderBooksResponse> pager = subscriptions.open(SubscribeOrderBooksRequest.newBuilder()
        .addMarkets(MarketRef.newBuilder().setExchangeId(1).setCurrencyPairNo(3)).setDepth(2).build());
    assertThat(pager.next().message().getCaughtUp()).isTrue();
    assertThat(pager.next()).isNull(); // nothing committed yet

    for (int i = 1; i <= 3; i++) {
      OrderBookSnapshot written = snapshot(1, 3, T0 + i, i, 5);
      QueryCalls.ingestOrderBooks(server.channel(), List.of(written));
      CountDownLatch woken = new CountDownLatch(1);
      pager.whenMore(woken::countDown);
      watch.committed(1, 3, i); // what this server's writes or another's announcement tell it
      assertThat(woken.await(10, TimeUnit.SECONDS)).isTrue();

      connections.set(0);
      statements.set(0);
      PagedStream.Page<SubscribeOrderBooksResponse> page = pager.next();
      assertThat(page.message().getSnapshotsList()).containsExactly(written.toBuilder()
          .clearBids().addAllBids(written.getBidsList().subList(0, 2))
          .clearAsks().addAllAsks(written.getAsksList().subList(0, 2)).build());
      assertThat(pager.next()).isNull();
      assertThat(statements.get()).as("statements of the step and of the ask after it").isEqualTo(2);
      assertThat(connections.get()).isEqualTo(1);
    }
    pager.ended();
  }

  private static List<String> keys(CommitLog.Entry<OrderBookReader.Header> entry) {
    return entry.items().stream().map(h -> h.serverTimeMs() + ":" + h.sequenceId()).toList();
  }

  /** The data source as it is, counting the connections taken from it and the statements they prepare. */
  private static DataSource counting(DataSource real, AtomicInteger connections, AtomicInteger statements) {
    InvocationHandler onDataSource = (proxy, method, args) -> {
      Object result = invoke(real, method, args);
      if (result instanceof Connection c) {
        connections.incrementAndGet();
        return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
            (p, m, a) -> {
              if (m.getName().equals("prepareStatement") || m.getName().equals("createStatement")) {
                statements.incrementAndGet();
              }
              return invoke(c, m, a);
            });
      }
      return result;
    };
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        onDataSource);
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
