package io.tickvault.server.trade;

import static io.tickvault.server.trade.TradeCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Trade;
import io.tickvault.server.ingest.RecordSink.Rejection;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.market.MarketRepository;
import io.tickvault.server.testing.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TradeSink's per-trade checks against a fixed clock, so the "a day ahead" edge is exact. */
class TradeSinkIT {
  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  private static final long NOW = 1_764_115_200_000L;
  private static final long DAY = 86_400_000L;
  private static TradeSink sink;

  @BeforeAll
  static void setUp() {
    MarketRepository markets = new MarketRepository(database.jdbc());
    markets.putExchange(1, "ex1");
    markets.putCurrencyPair(1, 1, "BTC", "USDT");
    Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    sink = new TradeSink(new KnownMarkets(markets, clock), new TradeRepository(database.jdbc()), clock);
  }

  @Test
  void tradeTimeUpToADayAhead_isAccepted_oneMillisecondMoreIsRejected() {
    assertThat(sink.validate(at(NOW + DAY))).isNull();
    assertThat(sink.validate(at(NOW + DAY + 1)))
        .isEqualTo(new Rejection("trade_time_ms", "is more than a day ahead of the server's clock: " + (NOW + DAY + 1)));
  }

  @Test
  void receiveTime_zeroIsNow_negativeOrADayAheadIsRejected() {
    assertThat(sink.validate(at(NOW).toBuilder().setReceiveTimeMs(0).build())).isNull();
    assertThat(sink.validate(at(NOW).toBuilder().setReceiveTimeMs(-1).build()))
        .isEqualTo(new Rejection("receive_time_ms", "must be epoch milliseconds or 0 for now, got -1"));
    assertThat(sink.validate(at(NOW).toBuilder().setReceiveTimeMs(NOW + DAY + 1).build()).field())
        .isEqualTo("receive_time_ms");
  }

  @Test
  void negativeTradeTime_isRejected() {
    assertThat(sink.validate(at(-5))).isEqualTo(new Rejection("trade_time_ms", "must be positive epoch milliseconds, got -5"));
  }

  @Test
  void tradeIdWithNul_isRejected_becausePostgresTextCannotHoldIt() {
    assertThat(sink.validate(trade(1, 1, "a\0b", "1", "1")))
        .isEqualTo(new Rejection("trade_id", "must not contain the NUL character"));
  }

  @Test
  void tradeIdOf64Characters_isAccepted_countedInCodePoints() {
    assertThat(sink.validate(trade(1, 1, "😀".repeat(64), "1", "1"))).isNull();
    assertThat(sink.validate(trade(1, 1, "😀".repeat(65), "1", "1")))
        .isEqualTo(new Rejection("trade_id", "has 65 characters, at most 64 are allowed"));
  }

  @Test
  void recordKey_isExchangePairAndTradeId() {
    assertThat(sink.recordKey(trade(3, 7, "x-1", "1", "1"))).isEqualTo("3/7/x-1");
  }

  private static Trade at(long tradeTimeMs) {
    return trade(1, 1, "t", "1", "1").toBuilder().setTradeTimeMs(tradeTimeMs).setReceiveTimeMs(NOW).build();
  }
}
