package io.tickvault.server.trade;

import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.ingest.PlainDecimal;
import io.tickvault.server.ingest.RecordChecks;
import io.tickvault.server.ingest.RecordSink;
import io.tickvault.server.market.KnownMarkets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Trades for the ingestion machinery: the per-trade checks (docs/ingestion.md lists them), and the
 * write through {@link TradeRepository}, which knows the table.
 */
public final class TradeSink implements RecordSink<Trade> {
  public static final int MAX_TRADE_ID_LENGTH = 64;
  /** How far ahead of the server's clock a time may be: exchanges' clocks drift, a day does not. */
  public static final Duration MAX_FUTURE = Duration.ofDays(1);

  private final KnownMarkets markets;
  private final TradeRepository trades;
  private final Clock clock;

  public TradeSink(KnownMarkets markets, TradeRepository trades, Clock clock) {
    this.markets = markets;
    this.trades = trades;
    this.clock = clock;
  }

  @Override
  public Rejection validate(Trade trade) {
    String tradeId = trade.getTradeId();
    if (tradeId.isEmpty()) {
      return new Rejection("trade_id", "is required");
    }
    int length = tradeId.codePointCount(0, tradeId.length());
    if (length > MAX_TRADE_ID_LENGTH) {
      return new Rejection("trade_id", "has " + length + " characters, at most " + MAX_TRADE_ID_LENGTH + " are allowed");
    }
    if (tradeId.indexOf('\0') >= 0) {
      return new Rejection("trade_id", "must not contain the NUL character"); // PostgreSQL text cannot hold it
    }
    String reason = PlainDecimal.whyNotPositive(trade.getPrice());
    if (reason != null) {
      return new Rejection("price", reason);
    }
    reason = PlainDecimal.whyNotPositive(trade.getQuantity());
    if (reason != null) {
      return new Rejection("quantity", reason);
    }
    if (trade.getTakerSide() == TradeSide.UNRECOGNIZED) {
      return new Rejection("taker_side", "unknown value " + trade.getTakerSideValue());
    }
    long latest = clock.millis() + MAX_FUTURE.toMillis();
    if (trade.getTradeTimeMs() <= 0) {
      return new Rejection("trade_time_ms", trade.getTradeTimeMs() == 0
          ? "is required (epoch milliseconds)"
          : "must be positive epoch milliseconds, got " + trade.getTradeTimeMs());
    }
    if (trade.getTradeTimeMs() > latest) {
      return new Rejection("trade_time_ms", "is more than a day ahead of the server's clock: " + trade.getTradeTimeMs());
    }
    if (trade.getReceiveTimeMs() < 0) {
      return new Rejection("receive_time_ms", "must be epoch milliseconds or 0 for now, got " + trade.getReceiveTimeMs());
    }
    if (trade.getReceiveTimeMs() > latest) {
      return new Rejection("receive_time_ms", "is more than a day ahead of the server's clock: " + trade.getReceiveTimeMs());
    }
    // Last: it may cost a query, and the cheap checks above settle most bad records.
    return RecordChecks.registeredMarket(markets, trade.getExchangeId(), trade.getCurrencyPairNo());
  }

  @Override
  public String recordKey(Trade trade) {
    return trade.getExchangeId() + "/" + trade.getCurrencyPairNo() + "/" + trade.getTradeId();
  }

  @Override
  public boolean[] write(List<Trade> batch) {
    return trades.insert(batch, clock.millis());
  }
}
