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
    assertThat(known.unregistered(1, 7)).isNotNull();

    repository.putCurrencyPair(1, 7, "BTC", "USDT");
    known.forgetMisses(); // as MarketService.PutCurrencyPair does

    assertThat(known.unregistered(1, 7)).isNull();
    assertThat(known.unregistered(1, 8)).isNotNull();
  }

  @Test
  void aMiss_isRememberedForASecond_soAStreamOfRecordsForAnUnknownMarketCostsOneQuery() {
    assertThat(known.unregistered(1, 7)).isNotNull();
    // Registered behind this server's back (another server): no query is made within the second,
    // so the miss stands...
    repository.putCurrencyPair(1, 7, "BTC", "USDT");
    clock.advance(KnownMarkets.MISS_TTL.minusMillis(1));
    assertThat(known.unregistered(1, 7)).isNotNull();

    // ...and once it has passed, the next lookup asks again.
    clock.advance(java.time.Duration.ofMillis(1));
    assertThat(known.unregistered(1, 7)).isNull();
  }

  @Test
  void aKnownPair_isAnsweredFromMemory() {
    repository.putCurrencyPair(1, 7, "BTC", "USDT");
    assertThat(known.unregistered(1, 7)).isNull();

    // Gone from the table (only a test does this): still known, so no query was made.
    db.jdbc().execute("DELETE FROM currency_pairs");

    assertThat(known.unregistered(1, 7)).isNull();
    assertThat(new KnownMarkets(repository, clock).unregistered(1, 7)).isNotNull();
  }

  @Test
  void aMissingPair_isNamedOnCurrencyPairNo_andAMissingExchange_onExchangeIdWithPutExchangeFirst() {
    assertThat(known.unregistered(1, 7)).isEqualTo(new KnownMarkets.Unregistered("currency_pair_no",
        "market 1/7 is not registered: PutCurrencyPair first"));
    KnownMarkets.Unregistered noExchange = new KnownMarkets.Unregistered("exchange_id",
        "exchange 2 is not registered (market 2/7): PutExchange first, then PutCurrencyPair");
    assertThat(known.unregistered(2, 7)).isEqualTo(noExchange);

    // The miss is remembered with what was missing: within the second, the same answer without a query.
    repository.putExchange(2, "kraken");
    assertThat(known.unregistered(2, 7)).isEqualTo(noExchange);
    clock.advance(KnownMarkets.MISS_TTL);
    assertThat(known.unregistered(2, 7).field()).isEqualTo("currency_pair_no");
  }

  @Test
  void idsTheSchemaForbids_areUnknown() {
    assertThat(known.unregistered(0, 1).field()).isEqualTo("exchange_id");
    assertThat(known.unregistered(1, -1).field()).isEqualTo("currency_pair_no");
  }
}
