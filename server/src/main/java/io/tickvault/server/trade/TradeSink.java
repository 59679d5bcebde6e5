package io.tickvault.server.trade;

import io.tickvault.api.v1.RejectionReason;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.ingest.RecordChecks;
import io.tickvault.server.ingest.ReceiveTimeSink;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.Horizons;
import java.time.Clock;
import java.util.List;

/**
 * Trades for the ingestion machinery: the per-trade checks (docs/ingestion.md lists them), and the
 * write through {@link TradeRepository}, which knows the table.
 *
 * @param horizons trades before the retention horizon are refused (docs/retention.md)
 */
public record TradeSink(KnownMarkets markets, TradeRepository trades, Clock clock, Horizons horizons)
    implements ReceiveTimeSink<Trade> {
  public static final int MAX_TRADE_ID_LENGTH = 64;

  public TradeSink(KnownMarkets markets, TradeRepository trades, Clock clock) {
    this(markets, trades, clock, new Horizons(java.util.List::of));
  }

  @Override
  public Rejection validate(Trade trade) {
    Rejection rejection = RecordChecks.marketIds(trade.getExchangeId(), trade.getCurrencyPairNo());
    if (rejection != null) {
      return rejection;
    }
    String tradeId = trade.getTradeId();
    if (tradeId.isEmpty()) {
      return new Rejection(RejectionReason.REJECTION_REASON_MISSING_FIELD, "trade_id", "is required");
    }
    int length = tradeId.codePointCount(0, tradeId.length());
    if (length > MAX_TRADE_ID_LENGTH) {
      return new Rejection(RejectionReason.REJECTION_REASON_TOO_LONG, "trade_id", "has " + length + " characters, at most " + MAX_TRADE_ID_LENGTH + " are allowed");
    }
    if (tradeId.indexOf('\0') >= 0) {
      return new Rejection(RejectionReason.REJECTION_REASON_INVALID_TEXT, "trade_id", "must not contain the NUL character"); // PostgreSQL text cannot hold it
    }
    rejection = RecordChecks.positiveDecimal("price", trade.getPrice());
    if (rejection == null) {
      rejection = RecordChecks.positiveDecimal("quantity", trade.getQuantity());
    }
    if (rejection != null) {
      return rejection;
    }
    if (trade.getTakerSide() == TradeSide.UNRECOGNIZED) {
      return new Rejection(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, "taker_side",
          "unknown value " + trade.getTakerSideValue());
    }
    long latest = RecordChecks.latestTime(clock);
    rejection = RecordChecks.time("trade_time_ms", trade.getTradeTimeMs(), latest);
    if (rejection == null) {
      rejection = RecordChecks.retained("trade_time_ms", trade.getTradeTimeMs(), horizons.horizon(Dataset.TRADES),
          "TICKVAULT_RETENTION_DAYS");
    }
    if (rejection == null) {
      rejection = RecordChecks.receiveTime(trade.getReceiveTimeMs(), latest);
    }
    if (rejection != null) {
      return rejection;
    }
    // Last: it may cost a query, and the cheap checks above settle most bad records.
    return RecordChecks.registeredMarket(markets, trade.getExchangeId(), trade.getCurrencyPairNo());
  }

  @Override
  public String recordKey(Trade trade) {
    return trade.getExchangeId() + "/" + trade.getCurrencyPairNo() + "/" + trade.getTradeId();
  }

  @Override
  public int exchangeId(Trade trade) {
    return trade.getExchangeId();
  }

  @Override
  public boolean[] write(List<Trade> batch, Runnable rowsWritten) {
    return write(batch, clock.millis(), rowsWritten);
  }

  @Override
  public boolean[] write(List<Trade> batch, long nowMillis, Runnable rowsWritten) {
    return trades.insert(batch, nowMillis, rowsWritten);
  }
}
