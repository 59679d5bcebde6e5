package io.tickvault.server.ingest;

import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_MISSING_FIELD;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_OUT_OF_RANGE;
import static io.tickvault.api.v1.RejectionReason.REJECTION_REASON_UNKNOWN_MARKET;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.ingest.RecordSink.Rejection;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.orderbook.OrderBookSink;
import io.tickvault.server.trade.TradeSink;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rules every record kind shares give the same answer for a trade and for an order book
 * snapshot: the market ids (required, positive, registered), the exchange's time (trade_time_ms,
 * server_time_ms: required, not before 2010-01-01T00:00:00Z, at most a day ahead of the server's
 * clock) and receive_time_ms (0 for now, otherwise the same range).
 */
class RecordKindsAgreeTest {
  private static final long NOW = 1_764_115_200_000L;
  private static final long DAY = 86_400_000L;

  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
  private static final KnownMarkets MARKET_1_1 =
      new KnownMarkets((exchangeId, pairNo) -> exchangeId == 1 && pairNo == 1, exchangeId -> exchangeId == 1, CLOCK);
  // Validation never writes: no repositories.
  private final TradeSink trades = new TradeSink(MARKET_1_1, null, CLOCK);
  private final OrderBookSink books = new OrderBookSink(MARKET_1_1, null, 5, CLOCK);

  /** {@code time} is the field the exchange's time goes in: trade_time_ms or server_time_ms. */
  @ParameterizedTest(name = "{0}/{1} at {2}, received {3}: {4} {5}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      // exchange | pair | time offset | receive time | field | reason
      "1 | 1 | 0 | 0 | - | -",
      "0 | 1 | 0 | 0 | exchange_id | is required",
      "-3 | 1 | 0 | 0 | exchange_id | must be positive, got -3",
      "1 | 0 | 0 | 0 | currency_pair_no | is required",
      "1 | -2 | 0 | 0 | currency_pair_no | must be positive, got -2",
      "1 | 2 | 0 | 0 | currency_pair_no | market 1/2 is not registered: PutCurrencyPair first",
      "2 | 1 | 0 | 0 | exchange_id | exchange 2 is not registered (market 2/1): PutExchange first, then PutCurrencyPair",
      "1 | 1 | - | 0 | time | is required",
      "1 | 1 | 86400000 | 0 | - | -",
      "1 | 1 | 86400001 | 0 | time | is more than a day ahead of the server's clock: 1764201600001",
      "1 | 1 | 0 | 1764201600000 | - | -",
      "1 | 1 | 0 | 1764201600001 | receive_time_ms | is more than a day ahead of the server's clock: 1764201600001",
  })
  void bothKinds_giveTheSameAnswer(int exchangeId, int pairNo, Long timeOffset, long receiveTime, String field, String reason) {
    assertBothKinds(exchangeId, pairNo, timeOffset == null ? 0 : NOW + timeOffset, receiveTime, field, reason);
  }

  private void assertBothKinds(int exchangeId, int pairNo, long time, long receiveTime, String field, String reason) {
    Trade trade = Trade.newBuilder().setExchangeId(exchangeId).setCurrencyPairNo(pairNo).setTradeId("t")
        .setPrice("1").setQuantity("1").setTakerSide(TradeSide.TRADE_SIDE_BUY)
        .setTradeTimeMs(time).setReceiveTimeMs(receiveTime).build();
    OrderBookSnapshot snapshot = OrderBookSnapshot.newBuilder().setExchangeId(exchangeId).setCurrencyPairNo(pairNo)
        .setServerTimeMs(time).setReceiveTimeMs(receiveTime).build();

    assertThat(trades.validate(trade)).isEqualTo(expected(field, "trade_time_ms", reason));
    assertThat(books.validate(snapshot)).isEqualTo(expected(field, "server_time_ms", reason));
  }

  /** The floor: a time before 2010 is a mistake (seconds sent as milliseconds, a zeroed clock). */
  @ParameterizedTest(name = "time {0}, received {1}: {2} {3}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      // time | receive time | field | reason
      "1262304000000 | 0 | - | -",
      "1262303999999 | 0 | time | must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got 1262303999999",
      "1 | 0 | time | must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got 1",
      "-5 | 0 | time | must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got -5",
      // NOW in seconds, sent as milliseconds: January 1970.
      "1764115200 | 0 | time | must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got 1764115200",
      "1764115200000 | 1262304000000 | - | -",
      "1764115200000 | 1262303999999 | receive_time_ms | must be 0 (now) or at or after 2010-01-01T00:00:00Z (1262304000000 ms), got 1262303999999",
      "1764115200000 | 1 | receive_time_ms | must be 0 (now) or at or after 2010-01-01T00:00:00Z (1262304000000 ms), got 1",
      "1764115200000 | -1 | receive_time_ms | must be 0 (now) or at or after 2010-01-01T00:00:00Z (1262304000000 ms), got -1",
  })
  void bothKinds_refuseTimesBeforeTheFloor(long time, long receiveTime, String field, String reason) {
    assertBothKinds(1, 1, time, receiveTime, field, reason);
  }

  private static Rejection expected(String field, String timeField, String reason) {
    if (field == null) {
      return null;
    }
    // The code follows from the reason: the shared checks word each kind of fault one way.
    RejectionReason code = reason.equals("is required") ? REJECTION_REASON_MISSING_FIELD
        : reason.contains("is not registered") ? REJECTION_REASON_UNKNOWN_MARKET
        : REJECTION_REASON_OUT_OF_RANGE;
    return new Rejection(code, field.equals("time") ? timeField : field, reason);
  }
}
