package io.tickvault.client.bench;

import io.grpc.Channel;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.client.TradeStreamWriter;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What coverage claims cost ingestion (docs/benchmarks.md): the same trades of several markets over
 * one StreamTrades stream, with a claim per request per market (each market's range of the request,
 * riding with the next request) against without any, alternating in each round on the emptied
 * table. The ratio is the throughput with claims over the throughput without.
 */
public final class CoverageBench {
  static final int EXCHANGE_ID = 9_996;
  private static final long BASE_TIME_MS = 1_764_000_000_000L;
  private static final long WARM_UP = 200_000;

  /** One round's figures, in seconds. */
  public record Round(long trades, double withoutClaims, double withClaims, long claimsStored) {
    public double ratio() {
      return withoutClaims / withClaims;
    }
  }

  private CoverageBench() {}

  /** Runs {@code rounds} rounds of {@code n} trades spread over {@code markets} pairs and prints the median ratio. */
  public static List<Round> run(Channel channel, String jdbcUrl, long n, int markets, int rounds, PrintStream out)
      throws Exception {
    List<Round> results = new ArrayList<>();
    try (Connection db = DriverManager.getConnection(jdbcUrl)) {
      execute(db, "INSERT INTO exchanges (exchange_id, code) VALUES (" + EXCHANGE_ID + ", 'tickvault-bench-coverage')"
          + " ON CONFLICT DO NOTHING");
      for (int pair = 1; pair <= markets; pair++) {
        execute(db, "INSERT INTO currency_pairs (exchange_id, currency_pair_no, base_currency, quote_currency) VALUES ("
            + EXCHANGE_ID + ", " + pair + ", 'BENCH', 'USD') ON CONFLICT DO NOTHING");
      }
      out.printf("coverage: %,d trades of %d markets per run, one stream, requests of %,d trades, %d round(s), after a"
          + " warm-up of %,d%n", n, markets, TradeStreamWriter.Options.DEFAULT.maxBatchTrades(), rounds, WARM_UP);
      clear(db);
      send(channel, WARM_UP, markets, true);
      for (int round = 1; round <= rounds; round++) {
        clear(db);
        long started = System.nanoTime();
        send(channel, n, markets, false);
        double without = (System.nanoTime() - started) / 1e9;
        clear(db);
        started = System.nanoTime();
        long stored = send(channel, n, markets, true);
        double with = (System.nanoTime() - started) / 1e9;
        Round r = new Round(n, without, with, stored);
        results.add(r);
        out.printf("round %d: without claims %,9.0f trades/s   with %,d claims %,9.0f trades/s   ratio %.3f%n",
            round, n / without, stored, n / with, r.ratio());
      }
      clear(db);
    }
    out.printf("median ratio: with claims %.3f of without%n", median(results.stream().mapToDouble(Round::ratio).toArray()));
    return results;
  }

  /** Trades 0..n-1 over one stream, market by market in turn; with claims after each request's worth. */
  private static long send(Channel channel, long n, int markets, boolean claims) throws Exception {
    int batch = TradeStreamWriter.Options.DEFAULT.maxBatchTrades();
    TradeStreamWriter.Summary summary;
    try (TradeStreamWriter writer = TradeStreamWriter.open(channel)) {
      for (long i = 0; i < n; i++) {
        writer.write(trade(i, markets));
        if (claims && (i + 1) % batch == 0) {
          long from = BASE_TIME_MS + i + 1 - batch;
          for (int pair = 1; pair <= markets; pair++) {
            writer.claimCoverage(EXCHANGE_ID, pair, from, BASE_TIME_MS + i + 1);
          }
        }
      }
      summary = writer.finish();
    }
    if (summary.inserted() != n) {
      throw new IllegalStateException("expected " + n + " inserted, the server says " + summary.inserted());
    }
    return summary.coverageStored();
  }

  /** Trade {@code i}: market {@code 1 + i % markets}, one millisecond after trade {@code i - 1}. */
  static Trade trade(long i, int markets) {
    return Trade.newBuilder()
        .setExchangeId(EXCHANGE_ID)
        .setCurrencyPairNo(1 + (int) (i % markets))
        .setTradeId(Long.toString(100_000_000_000L + i))
        .setPrice((64_000 + i % 1_000) + "." + (10 + i % 90))
        .setQuantity("0.00" + (100 + i % 900))
        .setTakerSide(i % 2 == 0 ? TradeSide.TRADE_SIDE_BUY : TradeSide.TRADE_SIDE_SELL)
        .setTradeTimeMs(BASE_TIME_MS + i)
        .setReceiveTimeMs(BASE_TIME_MS + i + 3)
        .build();
  }

  private static void clear(Connection db) throws SQLException {
    execute(db, "DELETE FROM trades WHERE exchange_id = " + EXCHANGE_ID);
    execute(db, "DELETE FROM feed_coverage WHERE exchange_id = " + EXCHANGE_ID);
    execute(db, "VACUUM trades");
  }

  private static void execute(Connection db, String sql) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute(sql);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
