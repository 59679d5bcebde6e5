package io.tickvault.server.orderbook;

import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_INVALID_DECIMAL;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_MISSING_FIELD;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_OUT_OF_RANGE;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_TOO_LONG;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_UNKNOWN_MARKET;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_UNSORTED_LEVELS;
import static io.tickvault.server.orderbook.OrderBookSinkIT.level;
import static io.tickvault.server.orderbook.OrderBookSinkIT.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.server.ingest.RecordSink;
import io.tickvault.server.market.KnownMarkets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * OrderBookSink's per-snapshot checks, with a registry of markets in memory: checking needs no
 * database (the rules both record kinds share are pinned by RecordKindsAgreeTest).
 */
class OrderBookSinkTest {
  private static final long NOW = 1_764_000_000_000L;

  // Markets 1/1 and 1/2, at most 5 levels a side. Validation never writes: no repository.
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
  private final OrderBookSink sink = new OrderBookSink(
      new KnownMarkets((exchangeId, pairNo) -> exchangeId == 1 && (pairNo == 1 || pairNo == 2),
          exchangeId -> exchangeId == 1, clock), null, 5, clock);

  @Test
  void validate_acceptsAGoodBookAndAHaltedMarket() {
    assertThat(sink.validate(snapshot(1, 1, NOW, 0).addBids(level("2", "1")).addBids(level("1.999", "1"))
        .addAsks(level("2.01", "1")).addAsks(level("3", "1")).build())).isNull();
    assertThat(sink.validate(snapshot(1, 2, NOW, 0).build())).isNull();
  }

  @Test
  void validate_namesTheFieldAndTheReason() {
    assertRejected(snapshot(0, 1, NOW, 0), "exchange_id", REJECTION_REASON_MISSING_FIELD, "is required");
    assertRejected(snapshot(-1, 1, NOW, 0), "exchange_id", REJECTION_REASON_OUT_OF_RANGE, "must be positive, got -1");
    assertRejected(snapshot(1, 0, NOW, 0), "currency_pair_no", REJECTION_REASON_MISSING_FIELD, "is required");
    assertRejected(snapshot(1, 3, NOW, 0), "currency_pair_no", REJECTION_REASON_UNKNOWN_MARKET, "market 1/3 is not registered: PutCurrencyPair first");
    assertRejected(snapshot(2, 1, NOW, 0), "exchange_id", REJECTION_REASON_UNKNOWN_MARKET,
        "exchange 2 is not registered (market 2/1): PutExchange first, then PutCurrencyPair");
    assertRejected(snapshot(1, 1, 0, 0), "server_time_ms", REJECTION_REASON_MISSING_FIELD, "is required");
    assertRejected(snapshot(1, 1, -5, 0), "server_time_ms", REJECTION_REASON_OUT_OF_RANGE,
        "must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got -5");
    assertRejected(snapshot(1, 1, NOW, -1), "sequence_id", REJECTION_REASON_OUT_OF_RANGE, "must not be negative, got -1");
    assertRejected(snapshot(1, 1, NOW, 0).setReceiveTimeMs(-1), "receive_time_ms", REJECTION_REASON_OUT_OF_RANGE,
        "must be 0 (now) or at or after 2010-01-01T00:00:00Z (1262304000000 ms), got -1");
    assertRejected(snapshot(1, 1, NOW, 0).addBids(level("3", "1")).addBids(level("2", "1")).addBids(level("1", "1"))
        .addBids(level("0", "1")), "bids[3].price", REJECTION_REASON_INVALID_DECIMAL, "must be positive, got '0'");
    assertRejected(snapshot(1, 1, NOW, 0).addAsks(level("1e3", "1")), "asks[0].price", REJECTION_REASON_INVALID_DECIMAL,
        "must be a plain decimal (digits and at most one '.', no sign or exponent), got '1e3'");
    assertRejected(snapshot(1, 1, NOW, 0).addAsks(level("5", "-1")), "asks[0].quantity", REJECTION_REASON_INVALID_DECIMAL,
        "must be a plain decimal (digits and at most one '.', no sign or exponent), got '-1'");
    assertRejected(snapshot(1, 1, NOW, 0).addAsks(level("5", "")), "asks[0].quantity", REJECTION_REASON_MISSING_FIELD, "is required");
    assertRejected(snapshot(1, 1, NOW, 0).addBids(level("5", "1")).addBids(level("5.0", "1")), "bids[1].price", REJECTION_REASON_UNSORTED_LEVELS,
        "must be below 5 (bids[0]): bids go best first, highest price first, no price twice");
    assertRejected(snapshot(1, 1, NOW, 0).addBids(level("5", "1")).addBids(level("6", "1")), "bids[1].price", REJECTION_REASON_UNSORTED_LEVELS,
        "must be below 5 (bids[0]): bids go best first, highest price first, no price twice");
    assertRejected(snapshot(1, 1, NOW, 0).addAsks(level("5", "1")).addAsks(level("10", "1")).addAsks(level("9.5", "1")),
        "asks[2].price", REJECTION_REASON_UNSORTED_LEVELS, "must be above 10 (asks[1]): asks go best first, lowest price first, no price twice");
    OrderBookSnapshot.Builder tooDeep = snapshot(1, 1, NOW, 0);
    for (int i = 0; i < 6; i++) {
      tooDeep.addAsks(level(String.valueOf(100 + i), "1"));
    }
    assertRejected(tooDeep, "asks", REJECTION_REASON_TOO_LONG, "has 6 levels, at most 5 are allowed");
  }

  @Test
  void recordKey_isTheNaturalKey() {
    assertThat(sink.recordKey(snapshot(1, 2, 1700000000000L, 42).build())).isEqualTo("1/2/1700000000000/42");
  }

  private void assertRejected(OrderBookSnapshot.Builder s, String field, RejectionReason code, String reason) {
    assertThat(sink.validate(s.build())).isEqualTo(new RecordSink.Rejection(code, field, reason));
  }

}
