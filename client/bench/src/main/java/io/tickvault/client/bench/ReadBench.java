package io.tickvault.client.bench;

import io.grpc.Channel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.client.ResumingReader;
import io.tickvault.client.TradeStreamWriter;
import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import org.postgresql.PGConnection;

/**
 * The read side against its references, in one run on the same server and database:
 * <ul>
 *   <li>{@code ReadTrades} of every trade of one market, end to end into this process (each page
 *       decoded, each trade touched), against {@code COPY (SELECT … ORDER BY trade_time_ms,
 *       trade_id) TO STDOUT} of the same rows through pgjdbc's CopyManager;
 *   <li>{@code GetMarketState} of that market against {@code grpc.health.v1.Health/Check}, each
 *       with the same number of calls in flight (closed loop, as ApiKeyBench).
 * </ul>
 * It first stores {@code n} trades in the bench market {@value #EXCHANGE_ID}/1 over StreamTrades
 * (deleting that market's trades of an earlier run), and leaves them there. Rounds alternate the
 * two sides so that drift on a shared machine hits both alike; the median ratio is printed.
 *
 * <pre>
 * java -cp client/target/tickvault.jar io.tickvault.client.bench.ReadBench \
 *     127.0.0.1:50071 'jdbc:postgresql://127.0.0.1:5432/bench?user=postgres' 1000000
 * </pre>
 */
public final class ReadBench {
  static final int EXCHANGE_ID = 9_996;
  static final int PAIR_NO = TradeBench.PAIR_NO;
  private static final String COPY_OUT = "COPY (SELECT exchange_id, currency_pair_no, trade_id, price, quantity, "
      + "taker_side, trade_time_ms, receive_time_ms FROM trades WHERE exchange_id = " + EXCHANGE_ID
      + " AND currency_pair_no = " + PAIR_NO + " ORDER BY trade_time_ms, trade_id COLLATE \"C\") TO STDOUT";

  /**
   * What to run.
   *
   * @param trades trades stored and read back
   * @param pageSize trades per ReadTrades page; 0 = the server's default
   * @param rounds rounds of each comparison
   * @param concurrency calls in flight for GetMarketState and Health/Check
   * @param phase length of each unary phase
   */
  public record Options(long trades, int pageSize, int rounds, int concurrency, Duration phase) {
    public static final Options DEFAULT = new Options(1_000_000, 0, 3, 32, Duration.ofSeconds(5));
  }

  /**
   * The median ratios: ReadTrades over pgjdbc's COPY TO (rows/s), over {@code psql \copy … TO} a
   * file (NaN without psql on the PATH), and GetMarketState over Health/Check (calls/s).
   */
  public record Result(double readRatio, double psqlRatio, double stateRatio) {}

  private ReadBench() {}

  public static void main(String[] args) throws Exception {
    Options d = Options.DEFAULT;
    Options options = new Options(
        BenchMain.longArg(args, 2, d.trades()),
        BenchMain.intArg(args, 3, d.pageSize()),
        BenchMain.intArg(args, 4, d.rounds()),
        BenchMain.intArg(args, 5, d.concurrency()),
        d.phase());
    BenchMain.run(args, 2, "ReadBench host:port jdbc-url [trades=1000000] [page-size=0] [rounds=3] [concurrency=32]",
        channel -> run(channel, args[1], options, System.out));
  }

  public static Result run(Channel channel, String jdbcUrl, Options options, PrintStream out) throws Exception {
    long n = options.trades();
    double[] readRatios = new double[options.rounds()];
    double[] psqlRatios = new double[options.rounds()];
    boolean psql = psqlAvailable();
    double[] stateRatios = new double[options.rounds()];
    try (Connection db = DriverManager.getConnection(jdbcUrl)) {
      out.printf("read benchmark: %,d trades of market %d/%d, page size %s, %d round(s); %d calls in flight for %d s%n",
          n, EXCHANGE_ID, PAIR_NO, options.pageSize() == 0 ? "server default" : Integer.toString(options.pageSize()),
          options.rounds(), options.concurrency(), options.phase().toSeconds());
      store(channel, db, n, out);

      // Warm-up of both paths (JIT, PostgreSQL's buffers) before anything is timed.
      timeReadTrades(channel, n, options.pageSize());
      timeCopyOut(db, n);
      if (psql) {
        timePsqlCopy(jdbcUrl, n);
      }
      for (int round = 0; round < options.rounds(); round++) {
        double grpc = timeReadTrades(channel, n, options.pageSize());
        double copy = timeCopyOut(db, n);
        readRatios[round] = copy / grpc;
        psqlRatios[round] = psql ? timePsqlCopy(jdbcUrl, n) / grpc : Double.NaN;
        out.printf("round %d: ReadTrades %,9.0f trades/s   COPY TO %,9.0f rows/s   ratio %.2f%s%n",
            round + 1, n / grpc, n / copy, readRatios[round],
            psql ? String.format("   psql \\copy TO file %,9.0f rows/s   ratio %.2f", n / (psqlRatios[round] * grpc), psqlRatios[round]) : "");
      }
    }

    ApiKeyBench.Call health = new ApiKeyBench.Call(channel, HealthGrpc.getCheckMethod(), HealthCheckRequest.getDefaultInstance());
    ApiKeyBench.Call state = new ApiKeyBench.Call(channel, QueryServiceGrpc.getGetMarketStateMethod(),
        GetMarketStateRequest.newBuilder().setExchangeId(EXCHANGE_ID).setCurrencyPairNo(PAIR_NO).build());
    state.once(); // fills Redis if it missed: every timed call is a hit
    ApiKeyBench.closedLoop(health, options.concurrency(), options.phase());
    ApiKeyBench.closedLoop(state, options.concurrency(), options.phase());
    for (int round = 0; round < options.rounds(); round++) {
      ApiKeyBench.Figures h = ApiKeyBench.closedLoop(health, options.concurrency(), options.phase()).figures();
      ApiKeyBench.Figures s = ApiKeyBench.closedLoop(state, options.concurrency(), options.phase()).figures();
      stateRatios[round] = s.callsPerSecond() / h.callsPerSecond();
      out.printf("round %d: Health/Check %,.0f calls/s (p50 %.0f µs, p99 %.0f µs) | GetMarketState %,.0f calls/s"
              + " (p50 %.0f µs, p99 %.0f µs) | ratio %.2f%n",
          round + 1, h.callsPerSecond(), h.p50Micros(), h.p99Micros(), s.callsPerSecond(), s.p50Micros(), s.p99Micros(),
          stateRatios[round]);
    }
    Result result = new Result(median(readRatios), psql ? median(psqlRatios) : Double.NaN, median(stateRatios));
    out.printf("median ratio: ReadTrades %.2f of COPY TO (pgjdbc, rows discarded)%s, GetMarketState %.2f of Health/Check%n",
        result.readRatio(), psql ? String.format(", %.2f of psql \\copy TO a file", result.psqlRatio()) : " (psql not found)",
        result.stateRatio());
    return result;
  }

  /** Stores trades 0..n-1 of the bench market, replacing an earlier run's. */
  private static void store(Channel channel, Connection db, long n, PrintStream out) throws Exception {
    try (Statement s = db.createStatement()) {
      s.execute("INSERT INTO exchanges (exchange_id, code) VALUES (" + EXCHANGE_ID + ", 'tickvault-bench-read') ON CONFLICT DO NOTHING");
      s.execute("INSERT INTO currency_pairs (exchange_id, currency_pair_no, base_currency, quote_currency) VALUES ("
          + EXCHANGE_ID + ", " + PAIR_NO + ", 'BENCH', 'USD') ON CONFLICT DO NOTHING");
      s.execute("DELETE FROM trades WHERE exchange_id = " + EXCHANGE_ID + " AND currency_pair_no = " + PAIR_NO);
    }
    long started = System.nanoTime();
    TradeStreamWriter.Summary summary;
    try (TradeStreamWriter writer = TradeStreamWriter.open(channel)) {
      for (long i = 0; i < n; i++) {
        writer.write(TradeBench.trade(EXCHANGE_ID, i));
      }
      summary = writer.finish();
    }
    if (summary.inserted() != n) {
      throw new IllegalStateException("stored " + summary.inserted() + " of " + n + " trades: " + summary);
    }
    out.printf("stored %,d trades over StreamTrades in %.1f s (not part of the ratio)%n", n, (System.nanoTime() - started) / 1e9);
    // Fresh statistics and no dead rows of an earlier run: the planner picks its best plan for
    // both sides (without them, COPY's query sorted a bitmap scan on disk, a slower reference).
    try (Statement s = db.createStatement()) {
      s.execute("VACUUM ANALYZE trades");
    }
  }

  /** Reads every trade of the bench market over ReadTrades, touching each; returns seconds. */
  private static double timeReadTrades(Channel channel, long n, int pageSize) {
    ReadTradesRequest request = ReadTradesRequest.newBuilder()
        .setExchangeId(EXCHANGE_ID).setCurrencyPairNo(PAIR_NO).setPageSize(pageSize).build();
    long started = System.nanoTime();
    long count = 0;
    long lastTime = Long.MIN_VALUE;
    try (ResumingReader<Trade> trades = ResumingReader.trades(channel, request, ResumingReader.Options.DEFAULT)) {
      while (trades.hasNext()) {
        Trade trade = trades.next();
        if (trade.getTradeTimeMs() < lastTime || trade.getPrice().isEmpty()) {
          throw new IllegalStateException("trade " + count + " out of order or without a price: " + trade);
        }
        lastTime = trade.getTradeTimeMs();
        count++;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    if (count != n) {
      throw new IllegalStateException("ReadTrades gave " + count + " trades, expected " + n);
    }
    return seconds;
  }

  private static boolean psqlAvailable() {
    try {
      return new ProcessBuilder("psql", "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * The reference the project's brief names: {@code psql \copy (SELECT … ORDER BY …) TO} a file, in a
   * process of its own (its start, some milliseconds, included); returns seconds.
   */
  private static double timePsqlCopy(String jdbcUrl, long n) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("tickvault-read-bench", ".tsv");
    try {
      String query = COPY_OUT.substring("COPY ".length(), COPY_OUT.length() - " TO STDOUT".length());
      ProcessBuilder psql = new ProcessBuilder("psql", jdbcUrl.substring("jdbc:".length()), "-X", "-q",
          "-v", "ON_ERROR_STOP=1", "-c", "\\copy " + query + " TO '" + file + "'").redirectErrorStream(true);
      long started = System.nanoTime();
      Process process = psql.start();
      String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int exit = process.waitFor();
      double seconds = (System.nanoTime() - started) / 1e9;
      if (exit != 0) {
        throw new IllegalStateException("psql \\copy failed (exit " + exit + "): " + output.strip());
      }
      long rows;
      try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(file)) {
        rows = lines.count();
      }
      if (rows != n) {
        throw new IllegalStateException("psql \\copy gave " + rows + " rows, expected " + n);
      }
      return seconds;
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  /** The reference: the same rows in the same order through COPY … TO STDOUT; returns seconds. */
  private static double timeCopyOut(Connection db, long n) throws SQLException, java.io.IOException {
    OutputStream discard = new OutputStream() {
      @Override
      public void write(int b) {}

      @Override
      public void write(byte[] b, int off, int len) {}
    };
    long started = System.nanoTime();
    long rows = db.unwrap(PGConnection.class).getCopyAPI().copyOut(COPY_OUT, discard);
    double seconds = (System.nanoTime() - started) / 1e9;
    if (rows != n) {
      throw new IllegalStateException("COPY TO gave " + rows + " rows, expected " + n);
    }
    return seconds;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
