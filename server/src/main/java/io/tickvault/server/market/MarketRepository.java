package io.tickvault.server.market;

import io.tickvault.api.v1.CurrencyPair;
import io.tickvault.api.v1.Exchange;
import io.tickvault.server.db.Jdbc;
import java.util.List;

/** The only place that knows the columns of {@code exchanges} and {@code currency_pairs}. */
public final class MarketRepository {
  private final Jdbc jdbc;

  public MarketRepository(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Inserts or renames an exchange; true when it was new. */
  public boolean putExchange(int exchangeId, String code) {
    // xmax = 0 only on a freshly inserted row: tells insert from update in one statement.
    return jdbc.queryOne("""
            INSERT INTO exchanges (exchange_id, code) VALUES (?, ?)
            ON CONFLICT (exchange_id) DO UPDATE SET code = EXCLUDED.code, updated_at = now()
            RETURNING (xmax = 0) AS created
            """, row -> row.getBoolean("created"), exchangeId, code)
        .orElseThrow();
  }

  public boolean exchangeExists(int exchangeId) {
    return jdbc.queryOne("SELECT 1 FROM exchanges WHERE exchange_id = ?", row -> true, exchangeId).isPresent();
  }

  /** The id of the exchange that already uses this code, if any. */
  public java.util.Optional<Integer> exchangeIdByCode(String code) {
    return jdbc.queryOne("SELECT exchange_id FROM exchanges WHERE code = ?", row -> row.getInt(1), code);
  }

  /** Inserts or updates a currency pair; true when it was new. */
  public boolean putCurrencyPair(int exchangeId, int currencyPairNo, String base, String quote) {
    return jdbc.queryOne("""
            INSERT INTO currency_pairs (exchange_id, currency_pair_no, base_currency, quote_currency)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (exchange_id, currency_pair_no) DO UPDATE
              SET base_currency = EXCLUDED.base_currency, quote_currency = EXCLUDED.quote_currency, updated_at = now()
            RETURNING (xmax = 0) AS created
            """, row -> row.getBoolean("created"), exchangeId, currencyPairNo, base, quote)
        .orElseThrow();
  }

  public boolean currencyPairExists(int exchangeId, int currencyPairNo) {
    return jdbc.queryOne("SELECT 1 FROM currency_pairs WHERE exchange_id = ? AND currency_pair_no = ?",
        row -> true, exchangeId, currencyPairNo).isPresent();
  }

  /** Every exchange, or the one of {@code exchangeId} when it is not 0, with or without pairs. */
  public List<Exchange> listExchanges(int exchangeId) {
    return jdbc.query("SELECT exchange_id, code FROM exchanges WHERE ? = 0 OR exchange_id = ? ORDER BY exchange_id",
        row -> Exchange.newBuilder().setExchangeId(row.getInt(1)).setCode(row.getString(2)).build(),
        exchangeId, exchangeId);
  }

  /** Every pair, or the pairs of one exchange when {@code exchangeId} is not 0. */
  public List<CurrencyPair> listCurrencyPairs(int exchangeId) {
    return jdbc.query("""
            SELECT p.exchange_id, e.code, p.currency_pair_no, p.base_currency, p.quote_currency
            FROM currency_pairs p JOIN exchanges e USING (exchange_id)
            WHERE ? = 0 OR p.exchange_id = ?
            ORDER BY p.exchange_id, p.currency_pair_no
            """,
        row -> CurrencyPair.newBuilder()
            .setExchangeId(row.getInt(1))
            .setExchangeCode(row.getString(2))
            .setCurrencyPairNo(row.getInt(3))
            .setBaseCurrency(row.getString(4))
            .setQuoteCurrency(row.getString(5))
            .build(),
        exchangeId, exchangeId);
  }
}
