package io.tickvault.server.ingest;

import io.tickvault.server.ingest.RecordSink.Rejection;
import io.tickvault.server.market.KnownMarkets;

/**
 * The per-record checks that every record kind shares, worded the same way for all of them: each
 * returns the {@link Rejection} naming the field, or null when the value is fine.
 */
public final class RecordChecks {
  private RecordChecks() {}

  /** A field that must be set and positive (ids, times): 0 is "not set". */
  public static Rejection requirePositive(String field, long value) {
    if (value > 0) {
      return null;
    }
    return new Rejection(field, value == 0 ? "is required" : "must be positive, got " + value);
  }

  /** {@code exchange_id} and {@code currency_pair_no}: both required and positive. */
  public static Rejection marketIds(int exchangeId, int currencyPairNo) {
    Rejection rejection = requirePositive("exchange_id", exchangeId);
    return rejection != null ? rejection : requirePositive("currency_pair_no", currencyPairNo);
  }

  /**
   * The market must be registered. Check it last: it may cost a query, and the cheap checks
   * settle most bad records. Throws {@link io.tickvault.server.db.DataAccessException} when the
   * database cannot say, so that an outage fails the call rather than rejecting records for good.
   */
  public static Rejection registeredMarket(KnownMarkets markets, int exchangeId, int currencyPairNo) {
    if (markets.isKnown(exchangeId, currencyPairNo)) {
      return null;
    }
    return new Rejection("currency_pair_no", KnownMarkets.unknownReason(exchangeId, currencyPairNo));
  }
}
