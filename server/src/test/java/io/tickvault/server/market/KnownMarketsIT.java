package io.tickvault.server.market;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.market.MarketRepository;
import io.tickvault.server.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KnownMarketsIT {
  @RegisterExtension
  static TestDatabase db = new TestDatabase();

  private MarketRepository repository;
  private KnownMarkets known;

  @BeforeEach
  void setUp() {
    db.truncate("currency_pairs", "exchanges CASCADE");
    repository = new MarketRepository(db.jdbc());
    repository.putExchange(1, "binance");
    known = new KnownMarkets(repository);
  }

  @Test
  void aPairRegisteredAfterAMiss_isKnownAtTheNextLookup() {
    assertThat(known.isKnown(1, 7)).isFalse();

    repository.putCurrencyPair(1, 7, "BTC", "USDT");

    assertThat(known.isKnown(1, 7)).isTrue();
    assertThat(known.isKnown(1, 8)).isFalse();
  }

  @Test
  void aKnownPair_isAnsweredFromMemory() {
    repository.putCurrencyPair(1, 7, "BTC", "USDT");
    assertThat(known.isKnown(1, 7)).isTrue();

    // Gone from the table (only a test does this): still known, so no query was made.
    db.jdbc().execute("DELETE FROM currency_pairs");

    assertThat(known.isKnown(1, 7)).isTrue();
    assertThat(new KnownMarkets(repository).isKnown(1, 7)).isFalse();
  }

  @Test
  void idsTheSchemaForbids_areUnknown() {
    assertThat(known.isKnown(0, 1)).isFalse();
    assertThat(known.isKnown(1, -1)).isFalse();
    assertThat(KnownMarkets.unknownReason(3, 4)).isEqualTo("market 3/4 is not registered: PutCurrencyPair first");
  }
}
