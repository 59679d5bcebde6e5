package io.tickvault.server.market;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.MutableClock;
import io.tickvault.server.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KnownMarketsIT {
  @RegisterExtension
  static TestDatabase db = new TestDatabase();

  private final MutableClock clock = new MutableClock();
  private MarketRepository repository;
  private KnownMarkets known;

  @BeforeEach
  void setUp() {
    db.truncate("currency_pairs", "exchanges CASCADE");
    repository = new MarketRepository(db.jdbc());
    repository.putExchange(1, "binance");
    known = new KnownMarkets(repository, clock);
  }

  @Test
  void aPairRegisteredThroughThisServerAfterAMiss_isKnownAtTheNextLookup() {
    assertThat(known.isKnown(1, 7)).isFalse();

    repository.putCurrencyPair(1, 7, "BTC", "USDT");
    known.forgetMisses(); // as MarketService.PutCurrencyPair does

    assertThat(known.isKnown(1, 7)).isTrue();
    assertThat(known.isKnown(1, 8)).isFalse();
  }

  @Test
  void aMiss_isRememberedForASecond_soAStreamOfRecordsForAnUnknownMarketCostsOneQuery() {
    assertThat(known.isKnown(1, 7)).isFalse();
    // Registered behind this server's back (another server): no query is made within the second,
    // so the miss stands...
    repository.putCurrencyPair(1, 7, "BTC", "USDT");
    clock.advance(KnownMarkets.MISS_TTL.minusMillis(1));
    assertThat(known.isKnown(1, 7)).isFalse();

    // ...and once it has passed, the next lookup asks again.
    clock.advance(java.time.Duration.ofMillis(1));
    assertThat(known.isKnown(1, 7)).isTrue();
  }

  @Test
  void aKnownPair_isAnsweredFromMemory() {
    repository.putCurrencyPair(1, 7, "BTC", "USDT");
    assertThat(known.isKnown(1, 7)).isTrue();

    // Gone from the table (only a test does this): still known, so no query was made.
    db.jdbc().execute("DELETE FROM currency_pairs");

    assertThat(known.isKnown(1, 7)).isTrue();
    assertThat(new KnownMarkets(repository, clock).isKnown(1, 7)).isFalse();
  }

  @Test
  void idsTheSchemaForbids_areUnknown() {
    assertThat(known.isKnown(0, 1)).isFalse();
    assertThat(known.isKnown(1, -1)).isFalse();
    assertThat(KnownMarkets.unknownReason(3, 4)).isEqualTo("market 3/4 is not registered: PutCurrencyPair first");
  }
}
