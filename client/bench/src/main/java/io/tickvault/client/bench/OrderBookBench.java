package io.tickvault.client.bench;

import io.grpc.Channel;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.client.OrderBookStreamWriter;
import java.io.PrintStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Order book ingestion end to end (this process → gRPC → server → PostgreSQL) against its
 * reference in the same run on the same database: {@code COPY … FROM STDIN} of the same header and
 * level rows into empty tables of the same shape. Prints snapshots/s, level rows/s and the ratio.
 *
 * <pre>
 * java -cp client/target/tickvault.jar io.tickvault.client.bench.OrderBookBench \
 *     127.0.0.1:50061 'jdbc:postgresql://127.0.0.1:5432/bench?user=postgres' 20000 [depth] [streams] [rounds]
 * </pre>
 *
 * The JDBC URL must reach the database the server writes to. The snapshots go to market
 * {@value #EXCHANGE_ID}/1 (registered here as {@code tickvault-bench} BENCH/USD) and are deleted
 * afterwards, the order book tables vacuumed before and after; the COPY tables are created and
 * dropped by the run.
 */
public final class OrderBookBench {
  static final int EXCHANGE_ID = 9_999;
  static final int PAIR_NO = 1;
  private static final String COPY_SNAPSHOTS = "tickvault_bench_copy_snapshots";
  private static final String COPY_LEVELS = "tickvault_bench_copy_levels";

  /** One round's figures. */
  public record Round(int snapshots, int levelRows, double grpcSeconds, double copySeconds) {
    public double ratio() {
      return copySeconds / grpcSeconds;
    }
  }

  private OrderBookBench() {}

  public static void main(String[] args) throws Exception {
    BenchMain.run(args, 3, "OrderBookBench host:port jdbc-url snapshots [levels-per-side=20] [streams=1] [rounds=3]",
        channel -> run(channel, args[1], Integer.parseInt(args[2]),
            BenchMain.intArg(args, 3, 20),
            BenchMain.intArg(args, 4, 1),
            BenchMain.intArg(args, 5, 3),
            System.out));
  }

  /**
   * Runs the benchmark: a warm-up, then {@code rounds} times the same N snapshots (fresh keys)
   * through the server and the same rows by COPY into fresh empty tables.
   */
  public static List<Round> run(Channel channel, String jdbcUrl, int n, int depth, int streams, int rounds,
                                PrintStream out) throws Exception {
    MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(channel);
    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(EXCHANGE_ID).setCode("tickvault-bench").build());
    markets.putCurrencyPair(PutCurrencyPairRequest.newBuilder().setExchangeId(EXCHANGE_ID).setCurrencyPairNo(PAIR_NO)
        .setBaseCurrency("BENCH").setQuoteCurrency("USD").build());

    out.printf("order book benchmark: %d snapshots x %d levels a side (%d level rows), %d stream(s), %d round(s)%n",
        n, depth, n * 2L * depth, streams, rounds);
    List<Round> results = new ArrayList<>();
    try (Connection db = DriverManager.getConnection(jdbcUrl)) {
      vacuumBookTables(db); // dead rows left by an earlier run would slow the gRPC side's inserts, not COPY's fresh tables
      long firstTime = firstFreeTime(db); // keys of this run, distinct from any left by an earlier one
      List<OrderBookSnapshot> warmUp = snapshots(firstTime, Math.max(1, Math.min(n / 5, 5000)), depth, new Random(1));
      ingest(channel, warmUp, streams);
      long nextTime = firstTime + warmUp.size();
      for (int round = 1; round <= rounds; round++) {
        List<OrderBookSnapshot> snapshots = snapshots(nextTime, n, depth, new Random(round));
        nextTime += n;
        int levelRows = snapshots.stream().mapToInt(s -> s.getBidsCount() + s.getAsksCount()).sum();

        // Odd rounds run COPY first, even rounds gRPC first, so that a drift in the machine's load
        // during a round does not always favour the same side.
        double copySeconds = round % 2 == 1 ? copy(db, snapshots) : 0;
        long mark = System.currentTimeMillis();
        long started = System.nanoTime();
        long inserted = ingest(channel, snapshots, streams);
        double grpcSeconds = (System.nanoTime() - started) / 1e9;
        PhaseMarks.record("orderbooks-grpc", mark);
        if (inserted != n) {
          throw new IllegalStateException("the server inserted " + inserted + " of " + n + " snapshots");
        }
        checkStored(db, snapshots.get(0).getServerTimeMs(), n, levelRows);
        if (round % 2 == 0) {
          copySeconds = copy(db, snapshots);
        }
        Round r = new Round(n, levelRows, grpcSeconds, copySeconds);
        results.add(r);
        out.printf("round %d: gRPC %.2f s = %,.0f snapshots/s, %,.0f level rows/s | COPY %.2f s = %,.0f snapshots/s,"
                + " %,.0f level rows/s | ratio %.2f%n",
            round, grpcSeconds, n / grpcSeconds, levelRows / grpcSeconds,
            copySeconds, n / copySeconds, levelRows / copySeconds, r.ratio());
      }
      double grpcTotal = results.stream().mapToDouble(Round::grpcSeconds).sum();
      double copyTotal = results.stream().mapToDouble(Round::copySeconds).sum();
      long rows = results.stream().mapToLong(Round::levelRows).sum();
      double[] ratios = results.stream().mapToDouble(Round::ratio).sorted().toArray();
      double median = ratios.length % 2 == 1 ? ratios[ratios.length / 2]
          : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
      out.printf("total: gRPC %,.0f snapshots/s, %,.0f level rows/s; COPY %,.0f snapshots/s, %,.0f level rows/s;"
              + " ratio gRPC/COPY %.2f (median of rounds %.2f)%n",
          rounds * (double) n / grpcTotal, rows / grpcTotal, rounds * (double) n / copyTotal, rows / copyTotal,
          copyTotal / grpcTotal, median);
      deleteBenchSnapshots(db);
    }
    return results;
  }

  /** Streams the snapshots over {@code streams} concurrent calls; returns how many were inserted. */
  private static long ingest(Channel channel, List<OrderBookSnapshot> snapshots, int streams) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    try {
      List<Future<IngestOrderBooksResponse>> calls = new ArrayList<>();
      int share = (snapshots.size() + streams - 1) / streams;
      for (int s = 0; s < streams; s++) {
        List<OrderBookSnapshot> part = snapshots.subList(Math.min(s * share, snapshots.size()),
            Math.min((s + 1) * share, snapshots.size()));
        calls.add(pool.submit(() -> {
          try (OrderBookStreamWriter writer = OrderBookStreamWriter.open(channel)) {
            for (OrderBookSnapshot snapshot : part) {
              writer.write(snapshot);
            }
            return writer.finish();
          }
        }));
      }
      long inserted = 0;
      for (Future<IngestOrderBooksResponse> call : calls) {
        IngestOrderBooksResponse summary = call.get();
        if (summary.getRejected() > 0) {
          throw new IllegalStateException("the server rejected snapshots: " + summary.getRejections(0));
        }
        inserted += summary.getInserted();
      }
      return inserted;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long firstFreeTime(Connection db) throws SQLException {
    try (Statement s = db.createStatement();
         ResultSet rs = s.executeQuery("SELECT coalesce(max(server_time_ms), 0) FROM orderbook_snapshots"
             + " WHERE exchange_id = " + EXCHANGE_ID)) {
      rs.next();
      return Math.max(System.currentTimeMillis(), rs.getLong(1) + 1);
    }
  }

  /** Checks that the round's snapshots are all stored with all their levels. */
  private static void checkStored(Connection db, long firstTime, int n, int levelRows) throws SQLException {
    try (Statement s = db.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(bid_count + ask_count), 0),"
             + " (SELECT count(*) FROM orderbook_levels l JOIN orderbook_snapshots h USING (exchange_id, currency_pair_no, snapshot_id)"
             + "  WHERE h.exchange_id = " + EXCHANGE_ID + " AND h.server_time_ms >= " + firstTime
             + "  AND h.server_time_ms < " + (firstTime + n) + ")"
             + " FROM orderbook_snapshots WHERE exchange_id = " + EXCHANGE_ID
             + " AND server_time_ms >= " + firstTime + " AND server_time_ms < " + (firstTime + n))) {
      rs.next();
      if (rs.getLong(1) != n || rs.getLong(2) != levelRows || rs.getLong(3) != levelRows) {
        throw new IllegalStateException("stored " + rs.getLong(1) + " snapshots with " + rs.getLong(3)
            + " level rows, expected " + n + " with " + levelRows);
      }
    }
  }

  /** COPY of the same header and level rows into fresh empty tables, in one transaction; seconds. */
  private static double copy(Connection db, List<OrderBookSnapshot> snapshots) throws SQLException, java.io.IOException {
    try (Statement s = db.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + COPY_SNAPSHOTS + ", " + COPY_LEVELS);
      s.execute("CREATE TABLE " + COPY_SNAPSHOTS + " (LIKE orderbook_snapshots INCLUDING ALL)");
      s.execute("CREATE TABLE " + COPY_LEVELS + " (LIKE orderbook_levels INCLUDING ALL)");
    }
    // Rendered before the clock starts: the reference is PostgreSQL's own bulk path at its fastest.
    StringBuilder headers = new StringBuilder();
    StringBuilder levels = new StringBuilder();
    long id = 0;
    for (OrderBookSnapshot snapshot : snapshots) {
      id++;
      headers.append(id).append('\t').append(snapshot.getExchangeId()).append('\t').append(snapshot.getCurrencyPairNo())
          .append('\t').append(snapshot.getServerTimeMs()).append('\t').append(snapshot.getSequenceId())
          .append('\t').append(snapshot.getReceiveTimeMs()).append('\t').append(snapshot.getBidsCount())
          .append('\t').append(snapshot.getAsksCount()).append('\n');
      appendLevels(levels, snapshot, id, 1, snapshot.getBidsList());
      appendLevels(levels, snapshot, id, 2, snapshot.getAsksList());
    }
    String headerText = headers.toString();
    String levelText = levels.toString();

    CopyManager copy = db.unwrap(PGConnection.class).getCopyAPI();
    long mark = System.currentTimeMillis();
    long started = System.nanoTime();
    db.setAutoCommit(false);
    try {
      copy.copyIn("COPY " + COPY_SNAPSHOTS + " (snapshot_id, exchange_id, currency_pair_no, server_time_ms,"
          + " sequence_id, receive_time_ms, bid_count, ask_count) FROM STDIN", new StringReader(headerText));
      copy.copyIn("COPY " + COPY_LEVELS + " (exchange_id, currency_pair_no, snapshot_id, side, level_index, price, quantity)"
          + " FROM STDIN",
          new StringReader(levelText));
      db.commit();
    } finally {
      db.setAutoCommit(true);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    PhaseMarks.record("orderbooks-copy-reference", mark);
    try (Statement s = db.createStatement()) {
      s.execute("DROP TABLE " + COPY_SNAPSHOTS + ", " + COPY_LEVELS);
    }
    return seconds;
  }

  private static void appendLevels(StringBuilder out, OrderBookSnapshot snapshot, long id, int side,
      List<PriceLevel> levels) {
    for (int i = 0; i < levels.size(); i++) {
      out.append(snapshot.getExchangeId()).append('\t').append(snapshot.getCurrencyPairNo()).append('\t')
          .append(id).append('\t').append(side).append('\t').append(i).append('\t')
          .append(levels.get(i).getPrice()).append('\t').append(levels.get(i).getQuantity()).append('\n');
    }
  }

  private static void deleteBenchSnapshots(Connection db) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute("DELETE FROM orderbook_levels WHERE exchange_id = " + EXCHANGE_ID);
      s.execute("DELETE FROM orderbook_snapshots WHERE exchange_id = " + EXCHANGE_ID);
    }
    vacuumBookTables(db);
  }

  /**
   * Vacuums the order book tables, so that the server's inserts find no dead rows in their heap and
   * indexes, as COPY's fresh tables have none: with autovacuum off, COPY of 800,000 level rows into
   * a table holding 800,000 deleted ones took 3.4 s, into a clean one 2.0–2.2 s.
   */
  private static void vacuumBookTables(Connection db) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute("VACUUM orderbook_levels, orderbook_snapshots");
    }
  }

  /**
   * Books that look like a real market's: a mid price walking around 64,000 with cent ticks, bids
   * below and asks above it, quantities of up to 8 decimals.
   */
  static List<OrderBookSnapshot> snapshots(long firstTime, int n, int depth, Random random) {
    List<OrderBookSnapshot> snapshots = new ArrayList<>(n);
    long midCents = 6_400_000;
    for (int i = 0; i < n; i++) {
      midCents += random.nextInt(201) - 100;
      OrderBookSnapshot.Builder s = OrderBookSnapshot.newBuilder()
          .setExchangeId(EXCHANGE_ID).setCurrencyPairNo(PAIR_NO)
          .setServerTimeMs(firstTime + i).setSequenceId(i).setReceiveTimeMs(firstTime + i + 3);
      long bid = midCents - 1;
      long ask = midCents + 1;
      for (int level = 0; level < depth; level++) {
        bid -= 1 + random.nextInt(5);
        ask += 1 + random.nextInt(5);
        s.addBids(PriceLevel.newBuilder().setPrice(cents(bid)).setQuantity(quantity(random)));
        s.addAsks(PriceLevel.newBuilder().setPrice(cents(ask)).setQuantity(quantity(random)));
      }
      snapshots.add(s.build());
    }
    return snapshots;
  }

  private static String cents(long cents) {
    return BigDecimal.valueOf(cents, 2).toPlainString();
  }

  private static String quantity(Random random) {
    return BigDecimal.valueOf(1 + random.nextInt(500_000_000), 8).toPlainString();
  }
}
