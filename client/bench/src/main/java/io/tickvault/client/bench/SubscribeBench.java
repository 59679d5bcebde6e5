package io.tickvault.client.bench;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * How long a committed trade takes to reach a subscriber on another server (docs/benchmarks.md):
 * one StreamTrades stream writes trades at a steady rate through one server, PER_REQUEST trades a
 * request (1 by default), a SubscribeTrades stream (from now on) on another server receives them;
 * per trade, the time from its request's acknowledgement reaching the writer to its receipt by the
 * subscriber (both in this process, one clock), and from the request's send. Batches keep one
 * stream's per-request cost out of the figure at high rates (10,000 trades/s one a request is
 * ingestion's limit, not the subscription's). Run by hand: {@code java -cp client/target/tickvault.jar
 * io.tickvault.client.bench.SubscribeBench WRITER_HOST:PORT SUBSCRIBER_HOST:PORT JDBC_URL [RATE] [SECONDS] [PER_REQUEST]}.
 *
 * <p>With {@code catch-up N} instead of the rate: N trades stored by SQL, then rounds of ReadTrades
 * of all of them against a SubscribeTrades from their first time until it is caught up, on the
 * subscriber's server; the ratio is the subscription's throughput over the read's.
 *
 * <p>With {@code orderbooks [RATE] [SECONDS] [DEPTH]} or {@code orderbooks-catch-up [N] [DEPTH]}: the same
 * for order book snapshots (SubscribeOrderBooksBench).
 */
public final class SubscribeBench {
  static final int EXCHANGE_ID = 9_995;
  /** The goal for the p99 from the writer's acknowledgement to receipt, at 100 trades/s. */
  static final double GOAL_P99_MS = 100;

  private SubscribeBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: SubscribeBench WRITER_HOST:PORT SUBSCRIBER_HOST:PORT JDBC_URL [RATE per s, 100] [SECONDS, 30] [PER_REQUEST, 1]"
          + " | catch-up N | orderbooks [RATE, 10] [SECONDS, 30] [DEPTH, 20] | orderbooks-catch-up [N, 20000] [DEPTH, 20]");
      System.exit(2);
    }
    ManagedChannel writer = channel(args[0]);
    ManagedChannel subscriber = channel(args[1]);
    try {
      if (args.length > 4 && args[3].equals("catch-up")) {
        catchUp(subscriber, args[2], Integer.parseInt(args[4]), 3, System.out);
        return;
      }
      if (args.length > 3 && args[3].startsWith("orderbooks")) {
        orderBooks(writer, subscriber, args);
        return;
      }
      int rate = BenchMain.intArg(args, 3, 100);
      int seconds = BenchMain.intArg(args, 4, 30);
      int perRequest = BenchMain.intArg(args, 5, 1);
      if (perRequest < 1 || rate % perRequest != 0) {
        throw new IllegalArgumentException("PER_REQUEST must be at least 1 and divide RATE");
      }
      run(writer, subscriber, args[2], rate, seconds, perRequest, System.out);
    } finally {
      writer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      subscriber.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  public static void run(Channel writer, Channel subscriber, String jdbcUrl, int rate, int seconds, int perRequest,
      PrintStream out)
      throws Exception {
    try (Connection db = DriverManager.getConnection(jdbcUrl); Statement s = db.createStatement()) {
      s.execute("INSERT INTO exchanges (exchange_id, code) VALUES (" + EXCHANGE_ID + ", 'tickvault-bench-subscribe')"
          + " ON CONFLICT DO NOTHING");
      s.execute("INSERT INTO currency_pairs (exchange_id, currency_pair_no, base_currency, quote_currency) VALUES ("
          + EXCHANGE_ID + ", 1, 'BENCH', 'USD') ON CONFLICT DO NOTHING");
    }
    int n = rate * seconds;
    String prefix = Long.toString(System.currentTimeMillis(), 36) + "-";
    Map<String, Long> received = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(n);
    LiveReceipts<SubscribeTradesResponse> receipts = new LiveReceipts<>((r, now) -> {
      for (Trade t : r.getTradesList()) {
        if (t.getTradeId().startsWith(prefix) && received.putIfAbsent(t.getTradeId(), now) == null) {
          all.countDown();
        }
      }
    }, SubscribeTradesResponse::getCaughtUp, out);
    QueryServiceGrpc.newStub(subscriber).subscribeTrades(SubscribeTradesRequest.newBuilder()
        .addMarkets(MarketRef.newBuilder().setExchangeId(EXCHANGE_ID).setCurrencyPairNo(1)).build(), receipts);
    receipts.awaitCaughtUp();
    int requestCount = n / perRequest;
    long[] acked = new long[requestCount];
    long[] sent = new long[requestCount];
    AtomicInteger acks = new AtomicInteger();
    CountDownLatch ackedAll = new CountDownLatch(1);
    StreamObserver<StreamTradesRequest> requests = IngestServiceGrpc.newStub(writer).streamTrades(new StreamObserver<>() {
      @Override
      public void onNext(IngestTradesAck ack) {
        acked[acks.getAndIncrement()] = System.nanoTime();
      }

      @Override
      public void onError(Throwable t) {
        out.println("writer ended: " + t);
        ackedAll.countDown();
      }

      @Override
      public void onCompleted() {
        ackedAll.countDown();
      }
    });
    long interval = 1_000_000_000L * perRequest / rate;
    long start = System.nanoTime();
    for (int r = 0; r < requestCount; r++) {
      long due = start + r * interval;
      while (System.nanoTime() < due) {
        LockSupport.parkNanos(due - System.nanoTime());
      }
      StreamTradesRequest.Builder request = StreamTradesRequest.newBuilder();
      long now = System.currentTimeMillis();
      for (int i = r * perRequest; i < (r + 1) * perRequest; i++) {
        request.addTrades(Trade.newBuilder()
            .setExchangeId(EXCHANGE_ID).setCurrencyPairNo(1).setTradeId(prefix + i)
            .setPrice("64000." + (10 + i % 90)).setQuantity("0.001").setTakerSide(TradeSide.TRADE_SIDE_BUY)
            .setTradeTimeMs(now));
      }
      sent[r] = System.nanoTime();
      requests.onNext(request.build());
    }
    requests.onCompleted();
    ackedAll.await(60, TimeUnit.SECONDS);
    all.await(30, TimeUnit.SECONDS);
    double[] afterAck = new double[n];
    double[] afterSend = new double[n];
    int missing = 0;
    for (int i = 0; i < n; i++) {
      Long at = received.get(prefix + i);
      if (at == null) {
        missing++;
        afterAck[i] = Double.NaN;
        afterSend[i] = Double.NaN;
      } else {
        afterAck[i] = (at - acked[i / perRequest]) / 1e6;
        afterSend[i] = (at - sent[i / perRequest]) / 1e6;
      }
    }
    double[] fromAck = Arrays.stream(afterAck).filter(d -> !Double.isNaN(d)).sorted().toArray();
    double[] fromSend = Arrays.stream(afterSend).filter(d -> !Double.isNaN(d)).sorted().toArray();
    long before = Arrays.stream(fromAck).filter(d -> d < 0).count();
    double p99 = percentile(fromAck, 0.99);
    out.printf("subscribe latency: %,d trades at %d/s, %d per request (%d requests/s); from the writer's ack to the"
            + " subscriber's receipt: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d received before their ack; %d never"
            + " received); from the send: p50 %.1f ms, p99 %.1f ms; p99 from the ack against the goal of %.0f ms:"
            + " %.2f (%s)%n",
        n, rate, perRequest, rate / perRequest, percentile(fromAck, 0.50), p99,
        fromAck.length == 0 ? Double.NaN : fromAck[fromAck.length - 1], before, missing,
        percentile(fromSend, 0.50), percentile(fromSend, 0.99), GOAL_P99_MS, p99 / GOAL_P99_MS,
        p99 <= GOAL_P99_MS ? "met" : "missed");
  }

  private static void orderBooks(Channel writer, Channel subscriber, String[] args) throws Exception {
    if (args[3].equals("orderbooks-catch-up")) {
      SubscribeOrderBooksBench.catchUp(subscriber, args[2], BenchMain.intArg(args, 4, 20_000),
          BenchMain.intArg(args, 5, 20), 3, System.out);
    } else {
      SubscribeOrderBooksBench.live(writer, subscriber, args[2], BenchMain.intArg(args, 4, 10),
          BenchMain.intArg(args, 5, 30), BenchMain.intArg(args, 6, 20), System.out);
    }
  }

  /** ReadTrades of {@code n} stored trades against a subscription's history of the same, alternating. */
  public static void catchUp(Channel channel, String jdbcUrl, int n, int rounds, PrintStream out) throws Exception {
    long base = 1_764_000_000_000L;
    try (Connection db = DriverManager.getConnection(jdbcUrl); Statement s = db.createStatement()) {
      s.execute("INSERT INTO exchanges (exchange_id, code) VALUES (" + EXCHANGE_ID + ", 'tickvault-bench-subscribe')"
          + " ON CONFLICT DO NOTHING");
      s.execute("INSERT INTO currency_pairs (exchange_id, currency_pair_no, base_currency, quote_currency) VALUES ("
          + EXCHANGE_ID + ", 2, 'BENCH', 'USD') ON CONFLICT DO NOTHING");
      s.execute("DELETE FROM trades WHERE exchange_id = " + EXCHANGE_ID + " AND currency_pair_no = 2");
      s.execute("INSERT INTO trades SELECT " + EXCHANGE_ID + ", 2, 'c-' || lpad(g::text, 9, '0'), 64000 + (g % 997) / 100.0,"
          + " 0.001 * (1 + g % 13), 1 + g % 2, " + base + " + g, " + base + " + g + 3 FROM generate_series(1, " + n + ") g");
      s.execute("VACUUM ANALYZE trades");
    }
    for (int round = 1; round <= rounds; round++) {
      long started = System.nanoTime();
      long read = 0;
      var pages = QueryServiceGrpc.newBlockingStub(channel).readTrades(io.tickvault.api.v1.ReadTradesRequest.newBuilder()
          .setExchangeId(EXCHANGE_ID).setCurrencyPairNo(2).setStartTimeMs(base).build());
      while (pages.hasNext()) {
        read += pages.next().getTradesCount();
      }
      double readSeconds = (System.nanoTime() - started) / 1e9;
      started = System.nanoTime();
      long caught = LiveReceipts.historyUntilCaughtUp(() -> QueryServiceGrpc.newBlockingStub(channel).subscribeTrades(
          SubscribeTradesRequest.newBuilder().addMarkets(MarketRef.newBuilder().setExchangeId(EXCHANGE_ID)
              .setCurrencyPairNo(2)).setStartTimeMs(base).build()),
          SubscribeTradesResponse::getTradesCount, SubscribeTradesResponse::getCaughtUp);
      double subscribeSeconds = (System.nanoTime() - started) / 1e9;
      out.printf("round %d: ReadTrades %,d trades %,9.0f trades/s   SubscribeTrades history %,d trades %,9.0f trades/s"
          + "   ratio %.2f%n", round, read, read / readSeconds, caught, caught / subscribeSeconds, readSeconds / subscribeSeconds);
    }
  }

  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static ManagedChannel channel(String target) {
    int colon = target.lastIndexOf(':');
    return NettyChannelBuilder.forAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
        .usePlaintext().maxInboundMessageSize(16 * 1024 * 1024).build();
  }
}
