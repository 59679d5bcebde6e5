package io.tickvault.server.query;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.grpc.EncodedMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one {@link ReadTradesResponse} in protobuf's wire format straight from the rows' bytes.
 * PostgreSQL sends {@code trade_id}, {@code price::text} and {@code quantity::text} as UTF-8, which
 * is what a protobuf string holds on the wire, so those bytes are copied as they came: no String
 * decoded and encoded again, no {@link Trade} object built and then serialized. This halves the
 * server's work per trade read (docs/benchmarks.md, "Reading"). The bytes are the ones
 * {@code ReadTradesResponse.toByteArray()} gives for the same trades: fields in number order,
 * zero numbers left out (TradePageEncoderTest checks it; the strings of a stored trade are never
 * empty).
 */
final class TradePageEncoder {
  private final int exchangeId;
  private final int currencyPairNo;
  private final int capacity;
  /** Bytes of the two market fields, the same in every trade of the page. */
  private final int marketSize;
  private byte[] buffer;
  private int start; // where `out` began writing in buffer
  private CodedOutputStream out;
  private int count;
  private long lastTime;
  private byte[] lastTradeId;

  /** A page of the market's trades, of at most {@code capacity} trades. */
  TradePageEncoder(int exchangeId, int currencyPairNo, int capacity) {
    this.exchangeId = exchangeId;
    this.currencyPairNo = currencyPairNo;
    this.capacity = capacity;
    this.marketSize = CodedOutputStream.computeInt32Size(Trade.EXCHANGE_ID_FIELD_NUMBER, exchangeId)
        + CodedOutputStream.computeInt32Size(Trade.CURRENCY_PAIR_NO_FIELD_NUMBER, currencyPairNo);
    this.buffer = new byte[Math.max(256, Math.min(capacity, 10_000) * 64)];
    this.out = CodedOutputStream.newInstance(buffer);
  }

  /** Appends a trade (at most {@link #capacity()}); {@code takerSide} and the times as stored, 0 for none. */
  void add(byte[] tradeId, byte[] price, byte[] quantity, int takerSide, long tradeTimeMs, long receiveTimeMs) {
    int size = marketSize
        + CodedOutputStream.computeByteArraySize(Trade.TRADE_ID_FIELD_NUMBER, tradeId)
        + CodedOutputStream.computeByteArraySize(Trade.PRICE_FIELD_NUMBER, price)
        + CodedOutputStream.computeByteArraySize(Trade.QUANTITY_FIELD_NUMBER, quantity)
        + (takerSide == 0 ? 0 : CodedOutputStream.computeEnumSize(Trade.TAKER_SIDE_FIELD_NUMBER, takerSide))
        + (tradeTimeMs == 0 ? 0 : CodedOutputStream.computeInt64Size(Trade.TRADE_TIME_MS_FIELD_NUMBER, tradeTimeMs))
        + (receiveTimeMs == 0 ? 0 : CodedOutputStream.computeInt64Size(Trade.RECEIVE_TIME_MS_FIELD_NUMBER, receiveTimeMs));
    reserve(CodedOutputStream.computeTagSize(ReadTradesResponse.TRADES_FIELD_NUMBER) + CodedOutputStream.computeUInt32SizeNoTag(size) + size);
    try {
      out.writeTag(ReadTradesResponse.TRADES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(size);
      out.writeInt32(Trade.EXCHANGE_ID_FIELD_NUMBER, exchangeId);
      out.writeInt32(Trade.CURRENCY_PAIR_NO_FIELD_NUMBER, currencyPairNo);
      out.writeByteArray(Trade.TRADE_ID_FIELD_NUMBER, tradeId);
      out.writeByteArray(Trade.PRICE_FIELD_NUMBER, price);
      out.writeByteArray(Trade.QUANTITY_FIELD_NUMBER, quantity);
      if (takerSide != 0) {
        out.writeEnum(Trade.TAKER_SIDE_FIELD_NUMBER, takerSide);
      }
      if (tradeTimeMs != 0) {
        out.writeInt64(Trade.TRADE_TIME_MS_FIELD_NUMBER, tradeTimeMs);
      }
      if (receiveTimeMs != 0) {
        out.writeInt64(Trade.RECEIVE_TIME_MS_FIELD_NUMBER, receiveTimeMs);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reserve() made room: an array encoder cannot run out
    }
    count++;
    lastTime = tradeTimeMs;
    lastTradeId = tradeId;
  }

  int exchangeId() {
    return exchangeId;
  }

  int currencyPairNo() {
    return currencyPairNo;
  }

  int capacity() {
    return capacity;
  }

  int count() {
    return count;
  }

  /** The page's last trade time; only when {@link #count()} > 0. */
  long lastTime() {
    return lastTime;
  }

  /** The page's last trade id; only when {@link #count()} > 0. */
  String lastTradeId() {
    return new String(lastTradeId, StandardCharsets.UTF_8);
  }

  /** The response: the trades added, then the token ({@code ""} on the last page). */
  EncodedMessage finish(String nextPageToken) {
    if (!nextPageToken.isEmpty()) {
      reserve(CodedOutputStream.computeStringSize(ReadTradesResponse.NEXT_PAGE_TOKEN_FIELD_NUMBER, nextPageToken));
      try {
        out.writeString(ReadTradesResponse.NEXT_PAGE_TOKEN_FIELD_NUMBER, nextPageToken);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new EncodedMessage(buffer, written());
  }

  private int written() {
    return start + out.getTotalBytesWritten();
  }

  /** Room for {@code bytes} more: the buffer doubles, and the encoder goes on where it stopped. */
  private void reserve(int bytes) {
    if (out.spaceLeft() >= bytes) {
      return;
    }
    int used = written();
    buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, used + bytes));
    start = used;
    out = CodedOutputStream.newInstance(buffer, used, buffer.length - used);
  }
}
