package io.tickvault.server.trade;

import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.db.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * The only place that knows the columns of {@code trades}. A batch goes to PostgreSQL as one
 * statement with one array parameter per column, {@code INSERT … SELECT FROM unnest(…) ON CONFLICT
 * DO NOTHING RETURNING} the keys it inserted: one round trip, one transaction, exact counts. (The
 * README's "Trade ingestion" section gives the figures that chose it over batched INSERTs and COPY
 * into a staging table.)
 */
public final class TradeRepository {
  private static final String INSERT_SQL = """
      INSERT INTO trades (exchange_id, currency_pair_no, trade_id, price, quantity, taker_side,
                          trade_time_ms, receive_time_ms)
      SELECT e, p, t, pr::numeric, q::numeric, s, tt, rt
      FROM unnest(?::int4[], ?::int4[], ?::text[], ?::text[], ?::text[], ?::int2[], ?::int8[], ?::int8[])
           AS u(e, p, t, pr, q, s, tt, rt)
      ON CONFLICT ON CONSTRAINT uq_trade_unique DO NOTHING
      RETURNING exchange_id, currency_pair_no, trade_id
      """;

  private final Jdbc jdbc;

  public TradeRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  private record Key(int exchangeId, int currencyPairNo, String tradeId) {
    static Key of(Trade t) {
      return new Key(t.getExchangeId(), t.getCurrencyPairNo(), t.getTradeId());
    }
  }

  /**
   * Inserts the trades that are not stored yet, in one statement; {@code receive_time_ms} 0 becomes
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
    int n = distinct.size();
    int[] exchanges = new int[n];
    int[] pairs = new int[n];
    String[] tradeIds = new String[n];
    String[] prices = new String[n];
    String[] quantities = new String[n];
    Short[] sides = new Short[n];
    long[] tradeTimes = new long[n];
    long[] receiveTimes = new long[n];
    for (int i = 0; i < n; i++) {
      Trade t = distinct.get(i);
      exchanges[i] = t.getExchangeId();
      pairs[i] = t.getCurrencyPairNo();
      tradeIds[i] = t.getTradeId();
      prices[i] = t.getPrice();
      quantities[i] = t.getQuantity();
      sides[i] = side(t.getTakerSide());
      tradeTimes[i] = t.getTradeTimeMs();
      receiveTimes[i] = t.getReceiveTimeMs() == 0 ? nowMillis : t.getReceiveTimeMs();
    }
    boolean[] inserted = new boolean[batch.size()];
    jdbc.withConnection(c -> {
      // pgjdbc's own createArrayOf takes primitive arrays and sends them in binary.
      PGConnection pg = c.unwrap(PGConnection.class);
      try (PreparedStatement ps = c.prepareStatement(INSERT_SQL)) {
        ps.setArray(1, pg.createArrayOf("int4", exchanges));
        ps.setArray(2, pg.createArrayOf("int4", pairs));
        ps.setArray(3, pg.createArrayOf("text", tradeIds));
        ps.setArray(4, pg.createArrayOf("text", prices));
        ps.setArray(5, pg.createArrayOf("text", quantities));
        ps.setArray(6, pg.createArrayOf("int2", sides));
        ps.setArray(7, pg.createArrayOf("int8", tradeTimes));
        ps.setArray(8, pg.createArrayOf("int8", receiveTimes));
        // One statement in auto-commit is one transaction: all of it is committed or none.
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Integer position = firstPosition.get(new Key(rs.getInt(1), rs.getInt(2), rs.getString(3)));
            if (position == null) {
              throw new IllegalStateException("PostgreSQL returned a key that was not sent: " + rs.getString(3));
            }
            inserted[position] = true;
          }
        }
      }
      return null;
    });
    return inserted;
  }

  private static Short side(TradeSide side) {
    return switch (side) {
      case TRADE_SIDE_BUY -> 1;
      case TRADE_SIDE_SELL -> 2;
      default -> null;
    };
  }
}
