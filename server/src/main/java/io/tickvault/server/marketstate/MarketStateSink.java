package io.tickvault.server.marketstate;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.ingest.ForwardingSink;
import io.tickvault.server.ingest.ReceiveTimeSink;
import io.tickvault.server.ingest.RecordSink;
import io.tickvault.server.market.MarketKey;
import io.tickvault.server.read.PageToken;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * A {@link RecordSink} that, after each batch commits, offers the newest inserted record of every
 * market in it to the {@link MarketStateCache}. Offering never waits for Redis and never fails the
 * batch: ingestion goes on at full speed while Redis is down.
 *
 * <p>Records sent with {@code receive_time_ms} 0 ("now") are stored with the time taken here, and
 * only the records offered to Redis are given it as a copy, so that the record stored in PostgreSQL
 * and the one offered to Redis are the same without copying every record of the batch.
 *
 * @param <R> the record's message type
 */
public final class MarketStateSink<R> implements ForwardingSink<R> {
  private final ReceiveTimeSink<R> sink;
  private final Clock clock;
  private final ToLongFunction<R> market;
  private final Comparator<R> order;
  private final ToLongFunction<R> receiveTime;
  private final ReceiveTimeSetter<R> setReceiveTime;
  private final BiConsumer<MarketStateCache, Collection<R>> offer;
  private final MarketStateCache cache;

  /** The newest trade is the greatest (trade_time_ms, trade_id), ids compared as UTF-8 bytes. */
  static final Comparator<Trade> TRADE_ORDER =
      Comparator.comparingLong(Trade::getTradeTimeMs).thenComparing(Trade::getTradeId, PageToken::compareUtf8);
  /** The newest snapshot is the greatest (server_time_ms, sequence_id). */
  static final Comparator<OrderBookSnapshot> BOOK_ORDER =
      Comparator.comparingLong(OrderBookSnapshot::getServerTimeMs).thenComparingLong(OrderBookSnapshot::getSequenceId);

  private interface ReceiveTimeSetter<R> {
    R with(R record, long receiveTimeMs);
  }

  private MarketStateSink(ReceiveTimeSink<R> sink, MarketStateCache cache, Clock clock, ToLongFunction<R> market,
      Comparator<R> order, ToLongFunction<R> receiveTime, ReceiveTimeSetter<R> setReceiveTime,
      BiConsumer<MarketStateCache, Collection<R>> offer) {
    this.sink = sink;
    this.cache = cache;
    this.clock = clock;
    this.market = market;
    this.order = order;
    this.receiveTime = receiveTime;
    this.setReceiveTime = setReceiveTime;
    this.offer = offer;
  }

  /** Trades, newest by {@link #TRADE_ORDER}. */
  public static MarketStateSink<Trade> trades(ReceiveTimeSink<Trade> sink, MarketStateCache cache, Clock clock) {
    return new MarketStateSink<>(sink, cache, clock, t -> MarketKey.of(t.getExchangeId(), t.getCurrencyPairNo()),
        TRADE_ORDER, Trade::getReceiveTimeMs, (t, now) -> t.toBuilder().setReceiveTimeMs(now).build(), MarketStateCache::offerTrades);
  }

  /** Snapshots, newest by {@link #BOOK_ORDER}. */
  public static MarketStateSink<OrderBookSnapshot> orderBooks(ReceiveTimeSink<OrderBookSnapshot> sink, MarketStateCache cache,
      Clock clock) {
    return new MarketStateSink<>(sink, cache, clock, s -> MarketKey.of(s.getExchangeId(), s.getCurrencyPairNo()),
        BOOK_ORDER, OrderBookSnapshot::getReceiveTimeMs, (s, now) -> s.toBuilder().setReceiveTimeMs(now).build(),
        MarketStateCache::offerOrderBooks);
  }

  @Override
  public RecordSink<R> wrapped() {
    return sink;
  }

  @Override
  public boolean[] write(List<R> records, Runnable rowsWritten) {
    long now = clock.millis();
    boolean[] inserted = sink.write(records, now, rowsWritten);
    // The newest inserted record of each market (the first of equals). A batch's records of one
    // market mostly come together, so the map is touched when the market changes, not per record.
    Map<Long, R> newest = new HashMap<>();
    long runMarket = 0;
    R runNewest = null;
    for (int i = 0; i < inserted.length; i++) {
      if (!inserted[i]) {
        continue;
      }
      R record = records.get(i);
      long key = market.applyAsLong(record);
      if (runNewest != null && key != runMarket) {
        newest.merge(runMarket, runNewest, this::newer);
        runNewest = null;
      }
      runMarket = key;
      runNewest = runNewest == null ? record : newer(runNewest, record);
    }
    if (runNewest != null) {
      newest.merge(runMarket, runNewest, this::newer);
    }
    if (!newest.isEmpty()) {
      offer.accept(cache, withReceiveTime(newest.values(), now)); // one call: the whole commit goes to Redis in one round
    }
    return inserted;
  }

  /** The newer of two records of one market; the first when they are equal. */
  private R newer(R first, R second) {
    return order.compare(first, second) >= 0 ? first : second;
  }

  /** The records, those without a receive time given {@code now}, as they were stored. */
  private List<R> withReceiveTime(Collection<R> records, long now) {
    List<R> stamped = new ArrayList<>(records.size());
    for (R record : records) {
      stamped.add(receiveTime.applyAsLong(record) == 0 ? setReceiveTime.with(record, now) : record);
    }
    return stamped;
  }
}
