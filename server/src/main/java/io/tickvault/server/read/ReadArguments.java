package io.tickvault.server.read;

import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.market.KnownMarkets;

/**
 * The checks shared by the read RPCs. Each adds what is wrong with its field to the request's
 * {@link FieldViolations}, so that one INVALID_ARGUMENT names every bad field of the request.
 */
public final class ReadArguments {
  /** A depth larger than any book that can be stored (level_index is a smallint). */
  public static final int MAX_DEPTH = 32_768;

  private final KnownMarkets markets;

  public ReadArguments(KnownMarkets markets) {
    this.markets = markets;
  }

  /** The ids of a market: both positive. Call it first, {@link #registered} last. */
  public static void marketIds(FieldViolations violations, int exchangeId, int currencyPairNo) {
    positive(violations, "exchange_id", exchangeId);
    positive(violations, "currency_pair_no", currencyPairNo);
  }

  /**
   * The market must be registered (ids that are not positive were named by {@link #marketIds}).
   * Called after the other checks of the request, because the lookup may query PostgreSQL: when
   * PostgreSQL cannot say, a request that already has bad fields fails with them (retrying it
   * cannot help), any other with UNAVAILABLE, never with a wrong "unknown market".
   */
  public void registered(FieldViolations violations, int exchangeId, int currencyPairNo) {
    if (exchangeId <= 0 || currencyPairNo <= 0) {
      return;
    }
    KnownMarkets.Unregistered unregistered;
    try {
      unregistered = markets.unregistered(exchangeId, currencyPairNo);
    } catch (RuntimeException e) {
      violations.throwIfAny();
      throw e;
    }
    if (unregistered != null) {
      violations.add(unregistered.field(), unregistered.reason());
    }
  }

  /** True when the market is valid and known to be registered without asking PostgreSQL. Never blocks. */
  public boolean knownWithoutAsking(int exchangeId, int currencyPairNo) {
    return exchangeId > 0 && currencyPairNo > 0 && markets.isKnownWithoutAsking(exchangeId, currencyPairNo);
  }

  /**
   * Checks {@code [start, end)} and returns the end to query: {@code end} itself, or when
   * {@code end} is 0 and {@code openEnded}, no end at all ({@link Long#MAX_VALUE}).
   */
  public static long range(FieldViolations violations, long start, long end, boolean openEnded) {
    if (start < 0) {
      violations.add("start_time_ms", "must not be negative (epoch milliseconds), got " + start);
    }
    if (end == 0 && openEnded) {
      return Long.MAX_VALUE;
    }
    if (end <= 0) {
      violations.add("end_time_ms", end == 0 ? "is required (epoch milliseconds)" : "must be positive, got " + end);
    } else if (end < start) {
      violations.add("end_time_ms", "must not be before start_time_ms (" + start + "), got " + end);
    }
    return end;
  }

  /** The page size to use: the default for 0, else 1 to max. */
  public static int pageSize(FieldViolations violations, int requested, int defaultSize, int max) {
    if (requested == 0) {
      return defaultSize;
    }
    if (requested < 0 || requested > max) {
      violations.add("page_size", "must be 1 to " + max + ", or 0 for the default " + defaultSize
          + ", got " + requested);
    }
    return requested;
  }

  /** The levels a side to read: all of them for 0, else 1 to {@link #MAX_DEPTH}. */
  public static int depth(FieldViolations violations, int requested) {
    if (requested == 0) {
      return MAX_DEPTH;
    }
    if (requested < 0 || requested > MAX_DEPTH) {
      violations.add("depth", "must be 1 to " + MAX_DEPTH + ", or 0 for every level, got " + requested);
    }
    return requested;
  }

  private static void positive(FieldViolations violations, String field, int value) {
    if (value <= 0) {
      violations.add(field, value == 0 ? "is required" : "must be positive, got " + value);
    }
  }
}
