package io.tickvault.client.bench;

import io.grpc.Channel;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.client.TradeStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Trade ingestion end to end (this process → gRPC StreamTrades → server → PostgreSQL) against its
 * references in the same run on the same database (docs/benchmarks.md):
 * <ul>
 *   <li>fresh trades against {@code COPY trades FROM STDIN} of the same rows into the empty table;
 *   <li>a full replay (every trade a duplicate) against {@code INSERT INTO trades SELECT … FROM
 *       staging ON CONFLICT DO NOTHING} of the same rows.
 * </ul>
 *
 * <pre>
 * java -cp client/target/tickvault.jar io.tickvault.client.bench.TradeBench \
 *     127.0.0.1:50071 'jdbc:postgresql://127.0.0.1:5432/bench?user=postgres' 1000000 [streams=1] [rounds=3]
 * </pre>
 *
 * The JDBC URL must reach the database the server writes to, and that database must be one for
 * benchmarks: the run empties {@code trades} (it refuses when the table holds trades of markets
 * other than its own, {@value #EXCHANGE_ID}/{@value #PAIR_NO}).
 */
public final class TradeBench {
  static final int EXCHANGE_ID = 9_998;
  static final int PAIR_NO = 1;
  /** The market of the trades kept stored through a run ({@code --stored}), never timed. */
  static final int STORED_EXCHANGE_ID = 9_997;
  private static final long BASE_TIME_MS = 1_764_000_000_000L;
  private static final String STAGING = "tickvault_bench_trades_staging";
  private static final long WARM_UP = 200_000;

  /** One round's figures, in seconds. */
  public record Round(long trades, double grpcFresh, double copyFresh, double grpcReplay, double insertSelectReplay) {
    public double freshRatio() {
      return copyFresh / grpcFresh;
    }

    public double replayRatio() {
      return insertSelectReplay / grpcReplay;
    }
  }

  private TradeBench() {}

  public static void main(String[] args) throws Exception {
    BenchMain.run(args, 3, "TradeBench host:port jdbc-url trades [streams=1] [rounds=3] [stored=0]",
        channel -> run(channel, args[1], Long.parseLong(args[2]),
            BenchMain.intArg(args, 3, 1),
            BenchMain.intArg(args, 4, 3),
            BenchMain.longArg(args, 5, 0),
            System.out));
  }

  /**
   * Runs {@code rounds} rounds and prints each with its ratios, then the medians. With
   * {@code stored} > 0, the table holds that many trades of another market throughout (made once by
   * SQL, kept for the next run): both sides then insert into a table of that size.
   */
  public static List<Round> run(Channel channel, String jdbcUrl, long n, int streams, int rounds, long stored,
      PrintStream out) throws Exception {
    List<Round> results = new ArrayList<>();
    try (Connection db = DriverManager.getConnection(jdbcUrl)) {
      prepare(db, stored);
      out.printf("trades: %,d per round, %d stream(s), %d round(s), after a warm-up of %,d; %,d other trades stored%n",
          n, streams, rounds, WARM_UP, stored);
      // The server is long-running: let its JIT compile the hot paths before anything is timed.
      clear(db, stored);
      timeGrpc(channel, WARM_UP, streams, WARM_UP);
      timeGrpc(channel, WARM_UP, streams, 0);
      for (int round = 1; round <= rounds; round++) {
        clear(db, stored);
        long mark = System.currentTimeMillis();
        double grpcFresh = timeGrpc(channel, n, streams, n);
        PhaseMarks.record("trades-grpc-fresh", mark);
        mark = System.currentTimeMillis();
        double grpcReplay = timeGrpc(channel, n, streams, 0);
        PhaseMarks.record("trades-grpc-replay", mark);
        double insertSelect = timeInsertSelectReplay(db, n);
        clear(db, stored);
        mark = System.currentTimeMillis();
        double copy = timeCopy(db, "trades", n);
        PhaseMarks.record("trades-copy-reference", mark);
        Round r = new Round(n, grpcFresh, copy, grpcReplay, insertSelect);
        results.add(r);
        out.printf("round %d: fresh  gRPC %,9.0f trades/s   COPY %,9.0f rows/s                          ratio %.2f%n",
            round, n / grpcFresh, n / copy, r.freshRatio());
        out.printf("round %d: replay gRPC %,9.0f trades/s   INSERT..SELECT ON CONFLICT %,9.0f rows/s    ratio %.2f%n",
            round, n / grpcReplay, n / insertSelect, r.replayRatio());
      }
      clear(db, stored);
      execute(db, "DROP TABLE IF EXISTS " + STAGING);
    }
    out.printf("median ratio: fresh %.2f of COPY, replay %.2f of INSERT..SELECT..ON CONFLICT DO NOTHING%n",
        median(results.stream().mapToDouble(Round::freshRatio).toArray()),
        median(results.stream().mapToDouble(Round::replayRatio).toArray()));
    return results;
  }

  /** Trade {@code i} of the run: the same on the gRPC path and in the reference rows. */
  static Trade trade(long i) {
    return trade(EXCHANGE_ID, i);
  }

  /** Trade {@code i} of a bench market of exchange {@code exchangeId}, pair {@value #PAIR_NO}. */
  static Trade trade(int exchangeId, long i) {
    return Trade.newBuilder()
        .setExchangeId(exchangeId)
        .setCurrencyPairNo(PAIR_NO)
        .setTradeId(Long.toString(100_000_000_000L + i))
        .setPrice(price(i))
        .setQuantity(quantity(i))
        .setTakerSide(i % 2 == 0 ? TradeSide.TRADE_SIDE_BUY : TradeSide.TRADE_SIDE_SELL)
        .setTradeTimeMs(BASE_TIME_MS + i)
        .setReceiveTimeMs(BASE_TIME_MS + i + 3)
        .build();
  }

  private static String price(long i) {
    return (64_000 + i % 1_000) + "." + (10 + i % 90);
  }

  private static String quantity(long i) {
    return "0.00" + (100 + i % 900);
  }

  private static void prepare(Connection db, long stored) throws SQLException {
    if (count(db, "SELECT count(*) FROM (SELECT 1 FROM trades WHERE exchange_id NOT IN (" + EXCHANGE_ID + ", "
        + STORED_EXCHANGE_ID + ") LIMIT 1) other") > 0) {
      throw new IllegalStateException("trades holds rows of other markets: run the benchmark on a database of its own");
    }
    register(db, EXCHANGE_ID, "tickvault-bench-trades");
    register(db, STORED_EXCHANGE_ID, "tickvault-bench-stored");
    long present = count(db, "SELECT count(*) FROM trades WHERE exchange_id = " + STORED_EXCHANGE_ID);
    if (present != stored) {
      // Rows shaped like the timed ones, of another market, in one statement: filling 50M this way
      // takes minutes, through any client far longer.
      execute(db, "DELETE FROM trades WHERE exchange_id = " + STORED_EXCHANGE_ID);
      execute(db, "INSERT INTO trades (exchange_id, currency_pair_no, trade_id, price, quantity, taker_side,"
          + " trade_time_ms, receive_time_ms) SELECT " + STORED_EXCHANGE_ID + ", " + PAIR_NO + ", (100000000000 + g)::text,"
          + " ((64000 + g % 1000) || '.' || (10 + g % 90))::numeric, ('0.00' || (100 + g % 900))::numeric, 1 + g % 2,"
          + " " + BASE_TIME_MS + " + g, " + BASE_TIME_MS + " + g + 3 FROM generate_series(0, " + (stored - 1) + ") g");
      execute(db, "VACUUM ANALYZE trades");
    }
    execute(db, "DROP TABLE IF EXISTS " + STAGING);
    execute(db, "CREATE UNLOGGED TABLE " + STAGING + " (LIKE trades)");
  }

  private static void register(Connection db, int exchangeId, String code) throws SQLException {
    execute(db, "INSERT INTO exchanges (exchange_id, code) VALUES (" + exchangeId + ", '" + code + "') ON CONFLICT DO NOTHING");
    execute(db, "INSERT INTO currency_pairs (exchange_id, currency_pair_no, base_currency, quote_currency) VALUES ("
        + exchangeId + ", " + PAIR_NO + ", 'BENCH', 'USD') ON CONFLICT DO NOTHING");
  }

  /**
   * Removes the timed market's trades, and their one-minute candles on a server that keeps them
   * (each round then writes its candle rows afresh, as a live feed does); the stored ones stay
   * (then vacuumed, so no dead rows slow the next round).
   */
  private static void clear(Connection db, long stored) throws SQLException {
    boolean candles = count(db, "SELECT count(*) FROM pg_class WHERE relname = 'trade_candles_1m'") > 0;
    if (stored == 0) {
      execute(db, candles ? "TRUNCATE trades, trade_candles_1m" : "TRUNCATE trades");
    } else {
      execute(db, "DELETE FROM trades WHERE exchange_id = " + EXCHANGE_ID);
      execute(db, "VACUUM trades");
      if (candles) {
        execute(db, "DELETE FROM trade_candles_1m WHERE exchange_id = " + EXCHANGE_ID);
      }
    }
  }

  private static long count(Connection db, String sql) throws SQLException {
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Streams trades 0..n-1 over {@code streams} StreamTrades calls; returns seconds. */
  private static double timeGrpc(Channel channel, long n, int streams, long expectInserted) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    try {
      long started = System.nanoTime();
      List<Future<TradeStreamWriter.Summary>> summaries = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        long from = n * s / streams;
        long to = n * (s + 1) / streams;
        summaries.add(pool.submit(() -> {
          try (TradeStreamWriter writer = TradeStreamWriter.open(channel)) {
            for (long i = from; i < to; i++) {
              writer.write(trade(i));
            }
            return writer.finish();
          }
        }));
      }
      long inserted = 0;
      long duplicates = 0;
      for (Future<TradeStreamWriter.Summary> summary : summaries) {
        inserted += summary.get().inserted();
        duplicates += summary.get().duplicates();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      if (inserted != expectInserted || inserted + duplicates != n) {
        throw new IllegalStateException("expected " + expectInserted + " inserted of " + n + ", the server says "
            + inserted + " inserted and " + duplicates + " duplicates");
      }
      return seconds;
    } finally {
      pool.shutdownNow();
    }
  }

  /** COPY of trades 0..n-1 into the table, the rows made as the gRPC path makes them; returns seconds. */
  private static double timeCopy(Connection db, String table, long n) throws SQLException {
    long started = System.nanoTime();
    CopyIn copy = db.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN");
    StringBuilder rows = new StringBuilder(1 << 20);
    for (long i = 0; i < n; i++) {
      Trade t = trade(i);
      rows.append(t.getExchangeId()).append('\t').append(t.getCurrencyPairNo()).append('\t').append(t.getTradeId())
          .append('\t').append(t.getPrice()).append('\t').append(t.getQuantity()).append('\t')
          .append(t.getTakerSideValue()).append('\t').append(t.getTradeTimeMs()).append('\t')
          .append(t.getReceiveTimeMs()).append('\n');
      if (rows.length() > (1 << 20) - 256) {
        byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        rows.setLength(0);
      }
    }
    byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
    copy.writeToCopy(bytes, 0, bytes.length);
    long copied = copy.endCopy();
    if (copied != n) {
      throw new IllegalStateException("COPY wrote " + copied + " rows, expected " + n);
    }
    return (System.nanoTime() - started) / 1e9;
  }

  /** The replay reference: the same rows staged (not timed), then one INSERT..SELECT..ON CONFLICT (timed). */
  private static double timeInsertSelectReplay(Connection db, long n) throws SQLException {
    execute(db, "TRUNCATE " + STAGING);
    timeCopy(db, STAGING, n);
    execute(db, "ANALYZE " + STAGING);
    long mark = System.currentTimeMillis();
    long started = System.nanoTime();
    int inserted;
    try (Statement s = db.createStatement()) {
      inserted = s.executeUpdate("INSERT INTO trades SELECT * FROM " + STAGING + " ON CONFLICT DO NOTHING");
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    PhaseMarks.record("trades-insert-select-reference", mark);
    if (inserted != 0) {
      throw new IllegalStateException("the replay reference inserted " + inserted + " rows: the table was not full");
    }
    return seconds;
  }

  private static void execute(Connection db, String sql) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute(sql);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
