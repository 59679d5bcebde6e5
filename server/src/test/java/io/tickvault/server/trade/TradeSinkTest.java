package io.tickvault.server.trade;

import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_INVALID_DECIMAL;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_INVALID_TEXT;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_MISSING_FIELD;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_OUT_OF_RANGE;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_TOO_LONG;
import static io.tickvault.server.trade.TradeCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Trade;
import io.tickvault.server.ingest.RecordSink.Rejection;
import io.tickvault.server.market.KnownMarkets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * TradeSink's per-trade checks against a fixed clock, so the "a day ahead" edge is exact, and a
 * registry of markets in memory: checking needs no database (the rules both record kinds share are
 * pinned by RecordKindsAgreeTest).
 */
class TradeSinkTest {
  private static final long NOW = 1_764_115_200_000L;
  private static final long DAY = 86_400_000L;

  // Market 1/1 only. Validation never writes: no repository.
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
  private final TradeSink sink = new TradeSink(
      new KnownMarkets((exchangeId, pairNo) -> exchangeId == 1 && pairNo == 1, exchangeId -> exchangeId == 1, clock),
      null, clock);

  @Test
  void aGoodTrade_isAccepted() {
    assertThat(sink.validate(at(NOW))).isNull();
  }

  @Test
  void tradeTimeUpToADayAhead_isAccepted_oneMillisecondMoreIsRejected() {
    assertThat(sink.validate(at(NOW + DAY))).isNull();
    assertThat(sink.validate(at(NOW + DAY + 1)))
        .isEqualTo(new Rejection(REJECTION_REASON_OUT_OF_RANGE, "trade_time_ms", "is more than a day ahead of the server's clock: " + (NOW + DAY + 1)));
  }

  @Test
  void receiveTime_zeroIsNow_negativeOrADayAheadIsRejected() {
    assertThat(sink.validate(at(NOW).toBuilder().setReceiveTimeMs(0).build())).isNull();
    assertThat(sink.validate(at(NOW).toBuilder().setReceiveTimeMs(-1).build()))
        .isEqualTo(new Rejection(REJECTION_REASON_OUT_OF_RANGE, "receive_time_ms",
            "must be 0 (now) or at or after 2010-01-01T00:00:00Z (1262304000000 ms), got -1"));
    assertThat(sink.validate(at(NOW).toBuilder().setReceiveTimeMs(NOW + DAY + 1).build()))
        .isEqualTo(new Rejection(REJECTION_REASON_OUT_OF_RANGE, "receive_time_ms", "is more than a day ahead of the server's clock: " + (NOW + DAY + 1)));
  }

  @Test
  void missingOrNegativeTradeTime_isRejected() {
    assertThat(sink.validate(at(0))).isEqualTo(new Rejection(REJECTION_REASON_MISSING_FIELD, "trade_time_ms", "is required"));
    assertThat(sink.validate(at(-5))).isEqualTo(new Rejection(REJECTION_REASON_OUT_OF_RANGE, "trade_time_ms",
        "must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got -5"));
  }

  @Test
  void tradeId_isRequired() {
    assertThat(sink.validate(trade(1, 1, "", "1", "1"))).isEqualTo(new Rejection(REJECTION_REASON_MISSING_FIELD, "trade_id", "is required"));
  }

  @Test
  void tradeIdWithNul_isRejected_becausePostgresTextCannotHoldIt() {
    assertThat(sink.validate(trade(1, 1, "a\0b", "1", "1")))
        .isEqualTo(new Rejection(REJECTION_REASON_INVALID_TEXT, "trade_id", "must not contain the NUL character"));
  }

  @Test
  void tradeIdOf64Characters_isAccepted_countedInCodePoints() {
    assertThat(sink.validate(trade(1, 1, "😀".repeat(64), "1", "1"))).isNull();
    assertThat(sink.validate(trade(1, 1, "😀".repeat(65), "1", "1")))
        .isEqualTo(new Rejection(REJECTION_REASON_TOO_LONG, "trade_id", "has 65 characters, at most 64 are allowed"));
  }

  @Test
  void priceAndQuantity_mustBePositivePlainDecimals() {
    assertThat(sink.validate(trade(1, 1, "t", "1e3", "1"))).isEqualTo(new Rejection(REJECTION_REASON_INVALID_DECIMAL, "price",
        "must be a plain decimal (digits and at most one '.', no sign or exponent), got '1e3'"));
    assertThat(sink.validate(trade(1, 1, "t", "1", "0"))).isEqualTo(new Rejection(REJECTION_REASON_INVALID_DECIMAL, "quantity", "must be positive, got '0'"));
  }

  @Test
  void anUnknownTakerSide_isRejected() {
    assertThat(sink.validate(at(NOW).toBuilder().setTakerSideValue(7).build()))
        .isEqualTo(new Rejection(REJECTION_REASON_OUT_OF_RANGE, "taker_side", "unknown value 7"));
  }

  @Test
  void recordKey_isExchangePairAndTradeId() {
    assertThat(sink.recordKey(trade(3, 7, "x-1", "1", "1"))).isEqualTo("3/7/x-1");
  }

  private static Trade at(long tradeTimeMs) {
    return trade(1, 1, "t", "1", "1").toBuilder().setTradeTimeMs(tradeTimeMs).setReceiveTimeMs(NOW).build();
  }
}
