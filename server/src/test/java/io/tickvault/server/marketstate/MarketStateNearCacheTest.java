package io.tickvault.server.marketstate;

import static io.tickvault.server.testing.QueryCalls.snapshot;
import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.GetMarketStateResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MarketStateNearCacheTest {
  private static final Duration TTL = Duration.ofMillis(200);
  private static final GetMarketStateResponse NOTHING = GetMarketStateResponse.getDefaultInstance();

  private final MutableClock clock = new MutableClock();
  private final MarketStateNearCache cache = new MarketStateNearCache(TTL, clock);

  private final Trade t1 = trade(1, 1, "a", 1_000, "1", "1");
  private final Trade t2 = trade(1, 1, "b", 1_000, "2", "1"); // same time, greater id
  private final Trade t3 = trade(1, 1, "a", 1_001, "3", "1");
  private final OrderBookSnapshot b1 = snapshot(1, 1, 1_000, 1, 1);
  private final OrderBookSnapshot b2 = snapshot(1, 1, 1_000, 2, 1);

  @Test
  void fill_isServedForTheTtlFromWhenItsLookupBegan() {
    long started = clock.millis();
    clock.advance(Duration.ofMillis(50)); // the lookup took 50 ms

    assertThat(cache.fill(1, 1, state(t1, b1), started)).isEqualTo(state(t1, b1));

    clock.advance(TTL.minusMillis(51));
    assertThat(cache.get(1, 1)).isEqualTo(state(t1, b1));
    clock.advance(Duration.ofMillis(1));
    assertThat(cache.get(1, 1)).as("expired").isNull();
    assertThat(cache.get(1, 2)).as("another market").isNull();
  }

  @Test
  void ownOffers_moveTheEntryForwardAtOnce_butDoNotExtendItsTtl() {
    cache.fill(1, 1, state(t1, b1), clock.millis());

    cache.offerTrade(t2);
    cache.offerOrderBook(b2);
    assertThat(cache.get(1, 1)).isEqualTo(state(t2, b2));

    clock.advance(TTL);
    cache.offerTrade(t3);
    assertThat(cache.get(1, 1)).as("the offer did not make the entry fresh again").isNull();
  }

  @Test
  void olderOffers_andOlderFills_neverMoveTheEntryBack() {
    cache.fill(1, 1, state(t2, b2), clock.millis());

    cache.offerTrade(t1); // a backfill committed here
    cache.offerOrderBook(b1);
    assertThat(cache.get(1, 1)).isEqualTo(state(t2, b2));

    // A lookup that found Redis behind (or finished after a newer one) answers the newer parts.
    assertThat(cache.fill(1, 1, state(t1, b1), clock.millis())).isEqualTo(state(t2, b2));
    assertThat(cache.fill(1, 1, NOTHING, clock.millis())).as("'none' is older than anything").isEqualTo(state(t2, b2));
    assertThat(cache.get(1, 1)).isEqualTo(state(t2, b2));

    cache.fill(1, 1, state(t3, b1), clock.millis()); // part by part
    assertThat(cache.get(1, 1)).isEqualTo(state(t3, b2));
  }

  @Test
  void expiredEntry_staysTheFloor_forTheNextFill() {
    cache.fill(1, 1, state(t2, b2), clock.millis());
    clock.advance(TTL.multipliedBy(5));
    assertThat(cache.get(1, 1)).isNull();

    assertThat(cache.fill(1, 1, state(t1, b1), clock.millis())).isEqualTo(state(t2, b2));
  }

  @Test
  void offerBeforeAnyLookup_isNotServedAlone_butWinsOverALaggingFill() {
    cache.offerTrade(t3); // this server committed t3; its book is unknown here
    assertThat(cache.get(1, 1)).isNull();

    // Redis had not applied the offer yet when it was read: the answer still has t3.
    assertThat(cache.fill(1, 1, state(t1, null), clock.millis())).isEqualTo(state(t3, null));
    assertThat(cache.get(1, 1)).isEqualTo(state(t3, null));
  }

  @Test
  void emptyMarket_isCachedAsEmpty() {
    assertThat(cache.fill(1, 1, NOTHING, clock.millis())).isEqualTo(NOTHING);
    assertThat(cache.get(1, 1)).isEqualTo(NOTHING);
    cache.offerTrade(t1);
    assertThat(cache.get(1, 1)).isEqualTo(state(t1, null));
  }

  @Test
  void staysBounded() {
    for (int pair = 1; pair <= MarketStateNearCache.MAX_ENTRIES + 10; pair++) {
      cache.fill(1, pair, NOTHING, clock.millis());
    }
    assertThat(cache.size()).isBetween(1, MarketStateNearCache.MAX_ENTRIES);
  }

  private static GetMarketStateResponse state(Trade trade, OrderBookSnapshot book) {
    GetMarketStateResponse.Builder b = GetMarketStateResponse.newBuilder();
    if (trade != null) {
      b.setLastTrade(trade);
    }
    if (book != null) {
      b.setLastOrderBook(book);
    }
    return b.build();
  }
}
