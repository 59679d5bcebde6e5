package io.tickvault.server.ingest;

import io.tickvault.api.v1.RejectionReason;
import io.tickvault.server.db.PlainDecimal;
import io.tickvault.server.ingest.RecordSink.Rejection;
import io.tickvault.server.market.KnownMarkets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The per-record checks that every record kind shares, worded the same way for all of them: each
 * returns the {@link Rejection} naming the field, or null when the value is fine.
 */
public final class RecordChecks {
  /** How far ahead of the server's clock a time may be: exchanges' clocks drift, a day does not. */
  public static final Duration MAX_FUTURE = Duration.ofDays(1);

  /**
   * The earliest time a record may carry: 2010-01-01T00:00:00Z. No crypto exchange traded before
   * it, and it catches seconds sent as milliseconds (today in seconds reads as January 1970).
   */
  public static final Instant EARLIEST_TIME = Instant.parse("2010-01-01T00:00:00Z");

  private static final long EARLIEST_MS = EARLIEST_TIME.toEpochMilli();

  private RecordChecks() {}

  /** The latest time a record may carry now: {@link #MAX_FUTURE} ahead of the clock. */
  public static long latestTime(Clock clock) {
    return clock.millis() + MAX_FUTURE.toMillis();
  }

  /** A field that must be set and positive (ids): 0 is "not set". */
  public static Rejection requirePositive(String field, long value) {
    if (value > 0) {
      return null;
    }
    return value == 0
        ? new Rejection(RejectionReason.REJECTION_REASON_MISSING_FIELD, field, "is required")
        : new Rejection(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, field, "must be positive, got " + value);
  }

  /**
   * A time the exchange gave ({@code trade_time_ms}, {@code server_time_ms}): required epoch
   * milliseconds, not before {@link #EARLIEST_TIME} and not after {@code latest} ({@link #latestTime}).
   */
  public static Rejection time(String field, long value, long latest) {
    if (value == 0) {
      return new Rejection(RejectionReason.REJECTION_REASON_MISSING_FIELD, field, "is required");
    }
    return plausible(field, value, latest, "");
  }

  /** {@code receive_time_ms}: 0 means the server's now; otherwise as {@link #time}. */
  public static Rejection receiveTime(long value, long latest) {
    return value == 0 ? null : plausible("receive_time_ms", value, latest, "0 (now) or ");
  }

  private static Rejection plausible(String field, long value, long latest, String orNow) {
    if (value < EARLIEST_MS) {
      return new Rejection(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, field,
          "must be " + orNow + "at or after " + EARLIEST_TIME + " (" + EARLIEST_MS + " ms), got " + value);
    }
    return value > latest
        ? new Rejection(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, field, "is more than a day ahead of the server's clock: " + value)
        : null;
  }

  /**
   * A record's time against the retention horizon of its table ({@code horizon} 0: nothing was
   * removed): a record before it may have been stored and removed already, and would be stored
   * (and its trade rolled up) a second time.
   */
  public static Rejection retained(String field, long value, long horizon, String window) {
    return value >= horizon ? null : new Rejection(RejectionReason.REJECTION_REASON_PAST_RETENTION, field,
        "is before the retention horizon " + Instant.ofEpochMilli(horizon) + " (" + horizon + " ms): records older than "
            + window + " are removed, and this one is no longer taken, got " + value);
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
    KnownMarkets.Unregistered unregistered = markets.unregistered(exchangeId, currencyPairNo);
    return unregistered == null ? null
        : new Rejection(RejectionReason.REJECTION_REASON_UNKNOWN_MARKET, unregistered.field(), unregistered.reason());
  }

  /** A price or quantity: a positive plain decimal ({@link PlainDecimal}); empty is missing. */
  public static Rejection positiveDecimal(String field, String value) {
    String why = PlainDecimal.whyNotPositive(value);
    if (why == null) {
      return null;
    }
    return new Rejection(value.isEmpty() ? RejectionReason.REJECTION_REASON_MISSING_FIELD
        : RejectionReason.REJECTION_REASON_INVALID_DECIMAL, field, why);
  }
}
