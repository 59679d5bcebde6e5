package io.tickvault.server.trade;

import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.db.DataAccessException;
import io.tickvault.server.db.Jdbc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * The only place that knows the columns of {@code trades}. A batch of fresh trades is copied
 * ({@code COPY … FROM STDIN}) straight into {@code trades}: when that succeeds, every row was
 * inserted. When a key is already stored the COPY fails as a whole, and the batch is copied into a
 * session-local staging table and moved with one {@code INSERT … SELECT … ON CONFLICT DO NOTHING
 * RETURNING} the keys it inserted, in one transaction: exact counts either way. After a batch with
 * duplicates (a replay) the next batch goes to the staging path at once, until a batch without.
 * TradeWriteStrategies measured the alternatives (batched INSERTs, one INSERT from unnest(array
 * parameters)); the README's "Trade ingestion" section gives the figures.
 *
 * <p>Every batch is written in key order. Two streams writing overlapping keys then lock them in
 * the same order, so one waits for the other instead of both deadlocking (PostgreSQL would abort
 * one with 40P01 and fail its call).
 */
public final class TradeRepository {
  // Session-local and emptied at every commit: each pooled connection gets its own, once.
  private static final String CREATE_STAGING_SQL = """
      CREATE TEMP TABLE IF NOT EXISTS trades_staging (
          exchange_id integer, currency_pair_no integer, trade_id text, price numeric, quantity numeric,
          taker_side smallint, trade_time_ms bigint, receive_time_ms bigint
      ) ON COMMIT DELETE ROWS
      """;
  private static final String COPY_STAGING_SQL = "COPY trades_staging FROM STDIN";
  private static final String COPY_TRADES_SQL = "COPY trades (exchange_id, currency_pair_no, trade_id, price, quantity,"
      + " taker_side, trade_time_ms, receive_time_ms) FROM STDIN";
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String INSERT_SQL = """
      INSERT INTO trades (exchange_id, currency_pair_no, trade_id, price, quantity, taker_side,
                          trade_time_ms, receive_time_ms)
      SELECT exchange_id, currency_pair_no, trade_id, price, quantity, taker_side, trade_time_ms, receive_time_ms
      FROM trades_staging
      ON CONFLICT ON CONSTRAINT uq_trade_unique DO NOTHING
      RETURNING exchange_id, currency_pair_no, trade_id
      """;

  private final Jdbc jdbc;
  // Which path the next batch tries first. A hint shared by all streams, never a source of counts:
  // a wrong guess costs one failed COPY or one staging round, not a wrong answer.
  private volatile boolean lastBatchHadDuplicates;

  public TradeRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  private record Key(int exchangeId, int currencyPairNo, String tradeId) {
    static final java.util.Comparator<Trade> ORDER = java.util.Comparator
        .comparingInt(Trade::getExchangeId)
        .thenComparingInt(Trade::getCurrencyPairNo)
        .thenComparing(Trade::getTradeId);

    static Key of(Trade t) {
      return new Key(t.getExchangeId(), t.getCurrencyPairNo(), t.getTradeId());
    }
  }

  /**
   * Inserts the trades that are not stored yet, in one transaction; {@code receive_time_ms} 0 becomes
   * {@code nowMillis}. Returns per position whether this call inserted it: of several trades of the
   * batch with one key, only the first can be.
   */
  public boolean[] insert(List<Trade> batch, long nowMillis) {
    // Keep the first of each key: PostgreSQL then sees distinct keys, and "which one was inserted"
    // has one answer.
    Map<Key, Integer> firstPosition = new HashMap<>(batch.size() * 2);
    List<Trade> distinct = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Trade trade = batch.get(i);
      if (firstPosition.putIfAbsent(Key.of(trade), i) == null) {
        distinct.add(trade);
      }
    }
    // The same lock order in every transaction: see the class comment. The staging table keeps
    // this order, so the INSERT … SELECT from it inserts in key order too.
    distinct.sort(Key.ORDER);
    boolean[] inserted = new boolean[batch.size()];
    byte[] rows = copyText(distinct, nowMillis);
    if (!lastBatchHadDuplicates && copyStraightIn(rows, distinct.size())) {
      for (int position : firstPosition.values()) {
        inserted[position] = true;
      }
      return inserted;
    }
    // Some key is stored already (a replay, or a concurrent stream a moment ago): the staging path
    // tells which rows this call inserted.
    int count = jdbc.inTransaction(c -> {
      try (Statement s = c.createStatement()) {
        s.execute(CREATE_STAGING_SQL);
      }
      copy(c, COPY_STAGING_SQL, rows);
      int n = 0;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(INSERT_SQL)) {
        while (rs.next()) {
          Integer position = firstPosition.get(new Key(rs.getInt(1), rs.getInt(2), rs.getString(3)));
          if (position == null) {
            throw new IllegalStateException("PostgreSQL returned a key that was not sent: " + rs.getString(3));
          }
          inserted[position] = true;
          n++;
        }
      }
      return n;
    });
    lastBatchHadDuplicates = count < distinct.size();
    return inserted;
  }

  /**
   * The fast path for fresh trades, the usual case of a live stream: COPY straight into
   * {@code trades}, one statement and so one transaction. True when every row went in; false when
   * one of them was already stored (unique violation: nothing was written, and the caller takes the
   * staging path, which sorts inserted from duplicate).
   */
  private boolean copyStraightIn(byte[] rows, int expected) {
    try {
      long copied = jdbc.withConnection(c -> copy(c, COPY_TRADES_SQL, rows));
      if (copied != expected) {
        throw new IllegalStateException("COPY wrote " + copied + " rows of " + expected);
      }
      return true;
    } catch (DataAccessException e) {
      if (e.getCause() instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        lastBatchHadDuplicates = true;
        return false;
      }
      throw e;
    }
  }

  private static long copy(Connection c, String sql, byte[] rows) throws SQLException {
    try {
      return c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new ByteArrayInputStream(rows));
    } catch (IOException e) {
      throw new SQLException("COPY failed: " + e.getMessage(), "08006", e);
    }
  }

  /** The rows in COPY's text format: tab-separated, {@code \N} for NULL. */
  private static byte[] copyText(List<Trade> trades, long nowMillis) {
    StringBuilder text = new StringBuilder(trades.size() * 96);
    for (Trade t : trades) {
      text.append(t.getExchangeId()).append('\t')
          .append(t.getCurrencyPairNo()).append('\t');
      appendEscaped(text, t.getTradeId());
      // Price and quantity passed PlainDecimal: digits and a point, nothing to escape.
      text.append('\t').append(t.getPrice())
          .append('\t').append(t.getQuantity())
          .append('\t').append(side(t.getTakerSide()))
          .append('\t').append(t.getTradeTimeMs())
          .append('\t').append(t.getReceiveTimeMs() == 0 ? nowMillis : t.getReceiveTimeMs())
          .append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendEscaped(StringBuilder text, String value) {
    if (!needsEscaping(value)) {
      text.append(value); // the usual trade id: one bulk copy instead of a char at a time
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> text.append("\\\\");
        case '\t' -> text.append("\\t");
        case '\n' -> text.append("\\n");
        case '\r' -> text.append("\\r");
        default -> text.append(c);
      }
    }
  }

  private static boolean needsEscaping(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
        return true;
      }
    }
    return false;
  }

  private static String side(TradeSide side) {
    return switch (side) {
      case TRADE_SIDE_BUY -> "1";
      case TRADE_SIDE_SELL -> "2";
      default -> "\\N";
    };
  }
}
