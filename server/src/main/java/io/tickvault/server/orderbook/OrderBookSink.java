package io.tickvault.server.orderbook;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.server.db.PlainDecimal;
import io.tickvault.server.ingest.IngestLimits;
import io.tickvault.server.ingest.RecordChecks;
import io.tickvault.server.ingest.ReceiveTimeSink;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.Horizons;
import java.time.Clock;
import java.util.List;

/**
 * Order book snapshots for the ingestion machinery: the per-snapshot checks, and the write through
 * {@link OrderBookRepository}, which knows the tables.
 */
public final class OrderBookSink implements ReceiveTimeSink<OrderBookSnapshot> {
  /**
   * The stream limits for snapshots. A snapshot weighs about 40 records' worth (20 levels a side
   * is typical, 1000 a side is allowed), so fewer of them are batched and buffered than trades:
   * a stream holds at most about {@code 2,000} snapshots in memory, and a batch of 1,000 snapshots
   * of 20 levels is 40,000 level rows in one transaction.
   */
  public static final IngestLimits LIMITS = new IngestLimits(IngestLimits.DEFAULT_MAX_RECORDS_PER_REQUEST,
      1_000, 2_000, IngestLimits.DEFAULT_MAX_SUMMARY_REJECTIONS);

  /** {@code orderbook_levels.level_index} is a smallint: 0 to 32767 on each side. */
  public static final int MAX_LEVELS_PER_SIDE = Short.MAX_VALUE + 1;

  private final OrderBookRepository repository;
  private final KnownMarkets markets;
  private final int maxLevelsPerSide;
  private final Clock clock;
  private final Horizons horizons;

  /**
   * @param maxLevelsPerSide more levels on either side rejects the snapshot
   *     ({@code TICKVAULT_MAX_BOOK_LEVELS})
   * @param clock gives the receive time of snapshots sent without one, and bounds how far ahead times may be
   */
  public OrderBookSink(KnownMarkets markets, OrderBookRepository repository, int maxLevelsPerSide, Clock clock) {
    this(markets, repository, maxLevelsPerSide, clock, new Horizons(List::of));
  }

  /** @param horizons snapshots before the retention horizon are refused (docs/retention.md) */
  public OrderBookSink(KnownMarkets markets, OrderBookRepository repository, int maxLevelsPerSide, Clock clock,
                       Horizons horizons) {
    if (maxLevelsPerSide < 1 || maxLevelsPerSide > MAX_LEVELS_PER_SIDE) {
      throw new IllegalArgumentException("maxLevelsPerSide must be 1 to " + MAX_LEVELS_PER_SIDE
          + " (level_index is a smallint), got " + maxLevelsPerSide);
    }
    this.repository = repository;
    this.markets = markets;
    this.maxLevelsPerSide = maxLevelsPerSide;
    this.clock = clock;
    this.horizons = horizons;
  }

  @Override
  public Rejection validate(OrderBookSnapshot s) {
    long latest = RecordChecks.latestTime(clock);
    Rejection rejection = RecordChecks.marketIds(s.getExchangeId(), s.getCurrencyPairNo());
    if (rejection == null) {
      rejection = RecordChecks.time("server_time_ms", s.getServerTimeMs(), latest);
    }
    if (rejection == null) {
      rejection = RecordChecks.retained("server_time_ms", s.getServerTimeMs(), horizons.horizon(Dataset.ORDER_BOOKS),
          "TICKVAULT_ORDERBOOK_RETENTION_DAYS");
    }
    if (rejection == null && s.getSequenceId() < 0) {
      rejection = new Rejection(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, "sequence_id",
          "must not be negative, got " + s.getSequenceId());
    }
    if (rejection == null) {
      rejection = RecordChecks.receiveTime(s.getReceiveTimeMs(), latest);
    }
    if (rejection != null) {
      return rejection;
    }
    Rejection side = validateSide("bids", s.getBidsList(), -1);
    if (side == null) {
      side = validateSide("asks", s.getAsksList(), 1);
    }
    if (side != null) {
      return side;
    }
    // Last, because it may cost a query.
    return RecordChecks.registeredMarket(markets, s.getExchangeId(), s.getCurrencyPairNo());
  }

  /**
   * {@code direction} -1: each price below the one before (bids); 1: above it (asks). This runs for
   * every level of every snapshot, so a field name such as {@code "bids[3].price"} is built only
   * for the rejection that names it.
   */
  private Rejection validateSide(String side, List<PriceLevel> levels, int direction) {
    int count = levels.size();
    if (count > maxLevelsPerSide) {
      return new Rejection(RejectionReason.REJECTION_REASON_TOO_LONG, side, "has " + count + " levels, at most " + maxLevelsPerSide + " are allowed");
    }
    String previous = null;
    for (int i = 0; i < count; i++) {
      PriceLevel level = levels.get(i);
      String price = level.getPrice();
      if (PlainDecimal.whyNotPositive(price) != null) {
        return RecordChecks.positiveDecimal(side + "[" + i + "].price", price);
      }
      String quantity = level.getQuantity();
      if (PlainDecimal.whyNotPositive(quantity) != null) {
        return RecordChecks.positiveDecimal(side + "[" + i + "].quantity", quantity);
      }
      if (previous != null && Integer.signum(PlainDecimal.compare(price, previous)) != direction) {
        return new Rejection(RejectionReason.REJECTION_REASON_UNSORTED_LEVELS, side + "[" + i + "].price", "must be " + (direction < 0 ? "below" : "above")
            + " " + previous + " (" + side + "[" + (i - 1) + "]): " + side + " go best first, "
            + (direction < 0 ? "highest" : "lowest") + " price first, no price twice");
      }
      previous = price;
    }
    return null;
  }

  @Override
  public String recordKey(OrderBookSnapshot s) {
    return s.getExchangeId() + "/" + s.getCurrencyPairNo() + "/" + s.getServerTimeMs() + "/" + s.getSequenceId();
  }

  @Override
  public int exchangeId(OrderBookSnapshot s) {
    return s.getExchangeId();
  }

  @Override
  public boolean[] write(List<OrderBookSnapshot> records, Runnable rowsWritten) {
    return write(records, clock.millis(), rowsWritten);
  }

  @Override
  public boolean[] write(List<OrderBookSnapshot> records, long nowMillis, Runnable rowsWritten) {
    return repository.insert(records, nowMillis, rowsWritten);
  }
}
