package io.tickvault.server.query;

import io.tickvault.server.grpc.Errors;
import io.tickvault.server.market.KnownMarkets;

/**
 * The checks shared by the read RPCs, each failing with INVALID_ARGUMENT and a BadRequest naming the
 * field, in the order the fields appear in the requests.
 */
final class ReadArguments {
  /** A depth larger than any book that can be stored (level_index is a smallint). */
  static final int MAX_DEPTH = 32_768;

  private final KnownMarkets markets;

  ReadArguments(KnownMarkets markets) {
    this.markets = markets;
  }

  /**
   * The market must be registered. The lookup may query PostgreSQL: an outage then fails the call
   * with UNAVAILABLE, never with a wrong "unknown market".
   */
  void market(int exchangeId, int currencyPairNo) {
    positive("exchange_id", exchangeId);
    positive("currency_pair_no", currencyPairNo);
    if (!markets.isKnown(exchangeId, currencyPairNo)) {
      throw Errors.invalidArgument("currency_pair_no", KnownMarkets.unknownReason(exchangeId, currencyPairNo));
    }
  }

  /** True when the market is valid and known to be registered without asking PostgreSQL. Never blocks. */
  boolean knownWithoutAsking(int exchangeId, int currencyPairNo) {
    return exchangeId > 0 && currencyPairNo > 0 && markets.isKnownWithoutAsking(exchangeId, currencyPairNo);
  }

  /**
   * Checks {@code [start, end)} and returns the end to query: {@code end} itself, or when
   * {@code end} is 0 and {@code openEnded}, no end at all ({@link Long#MAX_VALUE}).
   */
  static long range(long start, long end, boolean openEnded) {
    if (start < 0) {
      throw Errors.invalidArgument("start_time_ms", "must not be negative (epoch milliseconds), got " + start);
    }
    if (end == 0 && openEnded) {
      return Long.MAX_VALUE;
    }
    if (end <= 0) {
      throw Errors.invalidArgument("end_time_ms", end == 0 ? "is required (epoch milliseconds)" : "must be positive, got " + end);
    }
    if (end < start) {
      throw Errors.invalidArgument("end_time_ms", "must not be before start_time_ms (" + start + "), got " + end);
    }
    return end;
  }

  /** The page size to use: the default for 0, else 1 to max. */
  static int pageSize(int requested, int defaultSize, int max) {
    if (requested == 0) {
      return defaultSize;
    }
    if (requested < 0 || requested > max) {
      throw Errors.invalidArgument("page_size", "must be 1 to " + max + ", or 0 for the default " + defaultSize
          + ", got " + requested);
    }
    return requested;
  }

  /** The levels a side to read: all of them for 0, else 1 to {@link #MAX_DEPTH}. */
  static int depth(int requested) {
    if (requested == 0) {
      return MAX_DEPTH;
    }
    if (requested < 0 || requested > MAX_DEPTH) {
      throw Errors.invalidArgument("depth", "must be 1 to " + MAX_DEPTH + ", or 0 for every level, got " + requested);
    }
    return requested;
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw Errors.invalidArgument(field, value == 0 ? "is required" : "must be positive, got " + value);
    }
  }
}
