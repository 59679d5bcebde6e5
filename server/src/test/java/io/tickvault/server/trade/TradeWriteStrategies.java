package io.tickvault.server.trade;

import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * The benchmark that chose {@link TradeRepository}'s way of writing a batch: the three exact
 * candidates of issue 4 and what TradeRepository does now (COPY straight into trades, the staging
 * path when a key is stored), each inserting N fresh trades and then replaying them (all
 * duplicates), in batches of B, against the same database. Not a test; run by hand:
 *
 * <pre>
 * ./mvnw -q -pl server -am test-compile dependency:build-classpath -Dmdep.outputFile=$PWD/cp.txt -Dmdep.includeScope=test
 * java -cp "$(cat cp.txt):server/target/classes:server/target/test-classes" \
 *   io.tickvault.server.trade.TradeWriteStrategies 'jdbc:postgresql://127.0.0.1:5432/bench?user=postgres' 500000 10000
 * </pre>
 */
public final class TradeWriteStrategies {
  private interface Strategy {
    /** Writes the batch; returns how many rows it inserted (exactly). */
    int write(Connection c, List<Trade> batch) throws SQLException;
  }

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int n = Integer.parseInt(args[1]);
    int batchSize = Integer.parseInt(args[2]);
    List<Trade> trades = new ArrayList<>(n);
    for (long i = 0; i < n; i++) {
      trades.add(TradeCalls.trade(i));
    }
    try (HikariDataSource ds = Database.openPool(url, null, null, 2);
         HikariDataSource plain = Database.openPool(url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=false", null, null, 2)) {
      Database.migrate(ds);
      Jdbc jdbc = new Jdbc(ds);
      TradeRepository repository = new TradeRepository(jdbc, CandleBackfill.open(jdbc, java.time.Clock.systemUTC()), new TradeCommitLog(commits -> { }));
      Map<String, Strategy> strategies = new java.util.LinkedHashMap<>();
      Map<String, HikariDataSource> sources = new HashMap<>();
      strategies.put("unnest arrays, one INSERT..SELECT..RETURNING", TradeWriteStrategies::unnest);
      strategies.put("COPY to temp staging, INSERT..SELECT..RETURNING", TradeWriteStrategies::copyThenInsert);
      strategies.put("TradeRepository: COPY straight in, else staging", (c, batch) -> {
        boolean[] inserted = repository.insert(batch, 1, () -> { });
        int count = 0;
        for (boolean b : inserted) {
          count += b ? 1 : 0;
        }
        return count;
      });
      strategies.put("batched INSERT..ON CONFLICT (pipelined, not rewritten)", TradeWriteStrategies::batchedInserts);
      sources.put("batched INSERT..ON CONFLICT (pipelined, not rewritten)", plain);
      for (int round = 0; round < 3; round++) {
        for (var entry : strategies.entrySet()) {
          jdbc.execute("TRUNCATE trades");
          HikariDataSource source = sources.getOrDefault(entry.getKey(), ds);
          double fresh = run(source, entry.getValue(), trades, batchSize, n);
          double replay = run(source, entry.getValue(), trades, batchSize, 0);
          System.out.printf("round %d  %-55s fresh %,10.0f rows/s   replay %,10.0f rows/s%n",
              round, entry.getKey(), fresh, replay);
        }
      }
    }
  }

  private static double run(HikariDataSource ds, Strategy strategy, List<Trade> trades, int batchSize, int expectInserted)
      throws SQLException {
    long started = System.nanoTime();
    int inserted = 0;
    try (Connection c = ds.getConnection()) {
      for (int from = 0; from < trades.size(); from += batchSize) {
        inserted += strategy.write(c, trades.subList(from, Math.min(trades.size(), from + batchSize)));
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    if (inserted != expectInserted) {
      throw new IllegalStateException("inserted " + inserted + ", expected " + expectInserted);
    }
    return trades.size() / seconds;
  }

  private static int batchedInserts(Connection c, List<Trade> batch) throws SQLException {
    // reWriteBatchedInserts would fold rows into multi-row INSERTs and answer SUCCESS_NO_INFO (not
    // exact); left alone, pgjdbc pipelines the statements in one round trip and counts each row.
    try (PreparedStatement ps = c.prepareStatement("""
        INSERT INTO trades (exchange_id, currency_pair_no, trade_id, price, quantity, taker_side, trade_time_ms, receive_time_ms)
        VALUES (?, ?, ?, ?::numeric, ?::numeric, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
      for (Trade t : batch) {
        ps.setInt(1, t.getExchangeId());
        ps.setInt(2, t.getCurrencyPairNo());
        ps.setString(3, t.getTradeId());
        ps.setString(4, t.getPrice());
        ps.setString(5, t.getQuantity());
        ps.setShort(6, (short) t.getTakerSideValue());
        ps.setLong(7, t.getTradeTimeMs());
        ps.setLong(8, t.getReceiveTimeMs());
        ps.addBatch();
      }
      int inserted = 0;
      for (int count : ps.executeBatch()) {
        if (count < 0) {
          throw new IllegalStateException("inexact batch count " + count);
        }
        inserted += count;
      }
      return inserted;
    }
  }

  private static int unnest(Connection c, List<Trade> batch) throws SQLException {
    int n = batch.size();
    int[] exchanges = new int[n];
    int[] pairs = new int[n];
    String[] tradeIds = new String[n];
    String[] prices = new String[n];
    String[] quantities = new String[n];
    Short[] sides = new Short[n];
    long[] tradeTimes = new long[n];
    long[] receiveTimes = new long[n];
    for (int i = 0; i < n; i++) {
      Trade t = batch.get(i);
      exchanges[i] = t.getExchangeId();
      pairs[i] = t.getCurrencyPairNo();
      tradeIds[i] = t.getTradeId();
      prices[i] = t.getPrice();
      quantities[i] = t.getQuantity();
      sides[i] = (short) t.getTakerSideValue();
      tradeTimes[i] = t.getTradeTimeMs();
      receiveTimes[i] = t.getReceiveTimeMs();
    }
    PGConnection pg = c.unwrap(PGConnection.class);
    try (PreparedStatement ps = c.prepareStatement("""
        INSERT INTO trades (exchange_id, currency_pair_no, trade_id, price, quantity, taker_side,
                            trade_time_ms, receive_time_ms)
        SELECT e, p, t, pr::numeric, q::numeric, s, tt, rt
        FROM unnest(?::int4[], ?::int4[], ?::text[], ?::text[], ?::text[], ?::int2[], ?::int8[], ?::int8[])
             AS u(e, p, t, pr, q, s, tt, rt)
        ON CONFLICT ON CONSTRAINT uq_trade_unique DO NOTHING
        RETURNING exchange_id, currency_pair_no, trade_id""")) {
      ps.setArray(1, pg.createArrayOf("int4", exchanges));
      ps.setArray(2, pg.createArrayOf("int4", pairs));
      ps.setArray(3, pg.createArrayOf("text", tradeIds));
      ps.setArray(4, pg.createArrayOf("text", prices));
      ps.setArray(5, pg.createArrayOf("text", quantities));
      ps.setArray(6, pg.createArrayOf("int2", sides));
      ps.setArray(7, pg.createArrayOf("int8", tradeTimes));
      ps.setArray(8, pg.createArrayOf("int8", receiveTimes));
      int inserted = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted++;
        }
      }
      return inserted;
    }
  }

  private static int copyThenInsert(Connection c, List<Trade> batch) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE IF NOT EXISTS bench_staging (exchange_id int, currency_pair_no int, trade_id text,"
          + " price numeric, quantity numeric, taker_side smallint, trade_time_ms bigint, receive_time_ms bigint)"
          + " ON COMMIT DELETE ROWS");
      StringBuilder text = new StringBuilder(batch.size() * 80);
      for (Trade t : batch) {
        text.append(t.getExchangeId()).append('\t').append(t.getCurrencyPairNo()).append('\t').append(t.getTradeId())
            .append('\t').append(t.getPrice()).append('\t').append(t.getQuantity()).append('\t')
            .append(t.getTakerSideValue()).append('\t').append(t.getTradeTimeMs()).append('\t')
            .append(t.getReceiveTimeMs()).append('\n');
      }
      c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bench_staging FROM STDIN",
          new java.io.StringReader(text.toString()));
      int inserted = 0;
      try (ResultSet rs = s.executeQuery("INSERT INTO trades SELECT * FROM bench_staging ON CONFLICT DO NOTHING"
          + " RETURNING exchange_id, currency_pair_no, trade_id")) {
        while (rs.next()) {
          inserted++;
        }
      }
      c.commit();
      return inserted;
    } catch (java.io.IOException e) {
      c.rollback();
      throw new SQLException(e);
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }
}
