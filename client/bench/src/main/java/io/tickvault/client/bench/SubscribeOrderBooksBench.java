package io.tickvault.client.bench;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.IngestOrderBooksRequest;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadOrderBooksResponse;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeOrderBooksResponse;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * SubscribeBench's order book modes (docs/benchmarks.md). {@code orderbooks RATE SECONDS [DEPTH]}:
 * snapshots of DEPTH levels a side written at a steady rate through one server, each by an
 * IngestOrderBooks call of its own (the call's one response is the snapshot's acknowledgement:
 * IngestOrderBooks answers once per call), received by a SubscribeOrderBooks at that depth on the
 * other server; per snapshot, the time from its acknowledgement and from its send to its receipt.
 * {@code orderbooks-catch-up N [DEPTH]}: N snapshots stored through the subscriber's server, then
 * rounds of ReadOrderBooks of all of them against a SubscribeOrderBooks from their first time
 * until it is caught up; the ratio is the subscription's throughput over the read's.
 */
final class SubscribeOrderBooksBench {
  static final int LIVE_PAIR_NO = 3;
  static final int CATCH_UP_PAIR_NO = 4;

  private SubscribeOrderBooksBench() {}

  static void live(Channel writer, Channel subscriber, String jdbcUrl, int rate, int seconds, int depth, PrintStream out)
      throws Exception {
    register(jdbcUrl, LIVE_PAIR_NO);
    int n = rate * seconds;
    // Fresh keys every run: sequence ids from this run's start, unique among runs.
    long firstSequence = System.currentTimeMillis() * 1_000;
    Map<Long, Long> received = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(n);
    LiveReceipts<SubscribeOrderBooksResponse> receipts = new LiveReceipts<>((r, now) -> {
      for (OrderBookSnapshot s : r.getSnapshotsList()) {
        long i = s.getSequenceId() - firstSequence;
        if (i >= 0 && i < n && s.getBidsCount() == depth && received.putIfAbsent(i, now) == null) {
          all.countDown();
        }
      }
    }, SubscribeOrderBooksResponse::getCaughtUp, out);
    QueryServiceGrpc.newStub(subscriber).subscribeOrderBooks(SubscribeOrderBooksRequest.newBuilder()
        .addMarkets(market(LIVE_PAIR_NO)).setDepth(depth).build(), receipts);
    receipts.awaitCaughtUp();
    long[] acked = new long[n];
    long[] sent = new long[n];
    AtomicInteger failed = new AtomicInteger();
    CountDownLatch ackedAll = new CountDownLatch(n);
    IngestServiceGrpc.IngestServiceStub ingest = IngestServiceGrpc.newStub(writer);
    long interval = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * interval;
      while (System.nanoTime() < due) {
        LockSupport.parkNanos(due - System.nanoTime());
      }
      int index = i;
      IngestOrderBooksRequest request = IngestOrderBooksRequest.newBuilder()
          .addSnapshots(snapshot(LIVE_PAIR_NO, System.currentTimeMillis(), firstSequence + i, depth)).build();
      sent[i] = System.nanoTime();
      StreamObserver<IngestOrderBooksRequest> call = ingest.ingestOrderBooks(new StreamObserver<>() {
        @Override
        public void onNext(IngestOrderBooksResponse response) {
          acked[index] = System.nanoTime();
          if (response.getInserted() != 1) {
            failed.incrementAndGet();
          }
        }

        @Override
        public void onError(Throwable t) {
          failed.incrementAndGet();
          ackedAll.countDown();
        }

        @Override
        public void onCompleted() {
          ackedAll.countDown();
        }
      });
      call.onNext(request);
      call.onCompleted();
    }
    ackedAll.await(60, TimeUnit.SECONDS);
    all.await(30, TimeUnit.SECONDS);
    double[] fromAck = new double[n];
    double[] fromSend = new double[n];
    int got = 0;
    long before = 0;
    for (int i = 0; i < n; i++) {
      Long at = received.get((long) i);
      if (at != null && acked[i] != 0) {
        fromAck[got] = (at - acked[i]) / 1e6;
        fromSend[got] = (at - sent[i]) / 1e6;
        before += fromAck[got] < 0 ? 1 : 0;
        got++;
      }
    }
    fromAck = Arrays.copyOf(fromAck, got);
    fromSend = Arrays.copyOf(fromSend, got);
    Arrays.sort(fromAck);
    Arrays.sort(fromSend);
    double p99 = percentile(fromAck, 0.99);
    out.printf("subscribe order books latency: %,d snapshots of %d levels a side at %d/s, one IngestOrderBooks call each;"
            + " from the writer's ack to the subscriber's receipt: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d received"
            + " before their ack; %d not received or not acknowledged; %d calls failed or not inserted); from the send:"
            + " p50 %.1f ms, p99 %.1f ms; p99 from the ack against the goal of %.0f ms: %.2f (%s)%n",
        n, depth, rate, percentile(fromAck, 0.50), p99, got == 0 ? Double.NaN : fromAck[got - 1], before, n - got,
        failed.get(), percentile(fromSend, 0.50), percentile(fromSend, 0.99), SubscribeBench.GOAL_P99_MS,
        p99 / SubscribeBench.GOAL_P99_MS, p99 <= SubscribeBench.GOAL_P99_MS ? "met" : "missed");
  }

  /** ReadOrderBooks of {@code n} stored snapshots against a subscription's history of the same, alternating. */
  static void catchUp(Channel channel, String jdbcUrl, int n, int depth, int rounds, PrintStream out) throws Exception {
    long base = 1_764_000_000_000L;
    register(jdbcUrl, CATCH_UP_PAIR_NO);
    try (Connection db = DriverManager.getConnection(jdbcUrl); Statement s = db.createStatement()) {
      s.execute("DELETE FROM orderbook_levels WHERE exchange_id = " + SubscribeBench.EXCHANGE_ID
          + " AND currency_pair_no = " + CATCH_UP_PAIR_NO);
      s.execute("DELETE FROM orderbook_snapshots WHERE exchange_id = " + SubscribeBench.EXCHANGE_ID
          + " AND currency_pair_no = " + CATCH_UP_PAIR_NO);
    }
    store(channel, n, depth, base);
    try (Connection db = DriverManager.getConnection(jdbcUrl); Statement s = db.createStatement()) {
      s.execute("VACUUM ANALYZE orderbook_snapshots, orderbook_levels");
    }
    for (int round = 1; round <= rounds; round++) {
      long started = System.nanoTime();
      long read = 0;
      Iterator<ReadOrderBooksResponse> pages = QueryServiceGrpc.newBlockingStub(channel).readOrderBooks(
          ReadOrderBooksRequest.newBuilder().setExchangeId(SubscribeBench.EXCHANGE_ID).setCurrencyPairNo(CATCH_UP_PAIR_NO)
              .setStartTimeMs(base).setDepth(depth).setPageSize(1_000).build());
      while (pages.hasNext()) {
        read += pages.next().getSnapshotsCount();
      }
      double readSeconds = (System.nanoTime() - started) / 1e9;
      started = System.nanoTime();
      long caught = LiveReceipts.historyUntilCaughtUp(() -> QueryServiceGrpc.newBlockingStub(channel)
          .subscribeOrderBooks(SubscribeOrderBooksRequest.newBuilder().addMarkets(market(CATCH_UP_PAIR_NO))
              .setStartTimeMs(base).setDepth(depth).build()),
          SubscribeOrderBooksResponse::getSnapshotsCount, SubscribeOrderBooksResponse::getCaughtUp);
      double subscribeSeconds = (System.nanoTime() - started) / 1e9;
      out.printf("round %d: ReadOrderBooks %,d snapshots %,8.0f snapshots/s   SubscribeOrderBooks history %,d snapshots"
              + " %,8.0f snapshots/s   ratio %.2f (depth %d)%n", round, read, read / readSeconds, caught,
          caught / subscribeSeconds, readSeconds / subscribeSeconds, depth);
    }
  }

  /** Stores {@code n} snapshots one millisecond apart from {@code base}, 1,000 a request on one call. */
  private static void store(Channel channel, int n, int depth, long base) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    IngestOrderBooksResponse[] summary = new IngestOrderBooksResponse[1];
    Throwable[] error = new Throwable[1];
    StreamObserver<IngestOrderBooksRequest> call = IngestServiceGrpc.newStub(channel).ingestOrderBooks(
        new StreamObserver<>() {
          @Override
          public void onNext(IngestOrderBooksResponse response) {
            summary[0] = response;
          }

          @Override
          public void onError(Throwable t) {
            error[0] = t;
            done.countDown();
          }

          @Override
          public void onCompleted() {
            done.countDown();
          }
        });
    for (int i = 0; i < n; i += 1_000) {
      IngestOrderBooksRequest.Builder request = IngestOrderBooksRequest.newBuilder();
      for (int j = i; j < Math.min(n, i + 1_000); j++) {
        request.addSnapshots(snapshot(CATCH_UP_PAIR_NO, base + j, j, depth));
      }
      call.onNext(request.build());
    }
    call.onCompleted();
    done.await();
    if (error[0] != null || summary[0] == null || summary[0].getInserted() != n) {
      throw new IllegalStateException("storing " + n + " snapshots: " + (error[0] != null ? error[0] : summary[0]));
    }
  }

  private static OrderBookSnapshot snapshot(int pairNo, long timeMs, long sequence, int depth) {
    OrderBookSnapshot.Builder s = OrderBookSnapshot.newBuilder().setExchangeId(SubscribeBench.EXCHANGE_ID)
        .setCurrencyPairNo(pairNo).setServerTimeMs(timeMs).setSequenceId(sequence);
    for (int level = 0; level < depth; level++) {
      s.addBids(PriceLevel.newBuilder().setPrice("64000." + String.format("%02d", 99 - level)).setQuantity("0.5"));
      s.addAsks(PriceLevel.newBuilder().setPrice("64001." + String.format("%02d", level)).setQuantity("0.5"));
    }
    return s.build();
  }

  private static MarketRef market(int pairNo) {
    return MarketRef.newBuilder().setExchangeId(SubscribeBench.EXCHANGE_ID).setCurrencyPairNo(pairNo).build();
  }

  private static void register(String jdbcUrl, int pairNo) throws Exception {
    try (Connection db = DriverManager.getConnection(jdbcUrl); Statement s = db.createStatement()) {
      s.execute("INSERT INTO exchanges (exchange_id, code) VALUES (" + SubscribeBench.EXCHANGE_ID
          + ", 'tickvault-bench-subscribe') ON CONFLICT DO NOTHING");
      s.execute("INSERT INTO currency_pairs (exchange_id, currency_pair_no, base_currency, quote_currency) VALUES ("
          + SubscribeBench.EXCHANGE_ID + ", " + pairNo + ", 'BENCH', 'USD') ON CONFLICT DO NOTHING");
    }
  }

  private static double percentile(double[] sorted, double q) {
    return SubscribeBench.percentile(sorted, q);
  }
}
