package io.tickvault.server.trade;

import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.grpc.EncodedMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one {@link ReadTradesResponse} in protobuf's wire format straight from the rows' bytes.
 * PostgreSQL sends {@code trade_id}, {@code price::text} and {@code quantity::text} as UTF-8, which
 * is what a protobuf string holds on the wire, so those bytes are copied as they came: no String
 * decoded and encoded again, no {@link Trade} object built and then serialized. The encoding is
 * written out here rather than through protobuf's CodedOutputStream, whose per-field size and
 * write calls were most of the server's CPU for a read (a profile of a 1M-trade ReadTrades). The
 * bytes are the ones {@code ReadTradesResponse.toByteArray()} gives for the same trades: fields in
 * number order, zero numbers left out (TradePageEncoderTest checks it; the strings of a stored
 * trade are never empty).
 */
public final class TradePageEncoder {
  private static final int LENGTH_DELIMITED = 2;
  private static final int VARINT = 0;
  private static final byte TRADES_TAG = tag(ReadTradesResponse.TRADES_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final byte TOKEN_TAG = tag(ReadTradesResponse.NEXT_PAGE_TOKEN_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final byte RETAINED_FROM_TAG = tag(ReadTradesResponse.RETAINED_FROM_MS_FIELD_NUMBER, VARINT);
  private static final byte TRADE_ID_TAG = tag(Trade.TRADE_ID_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final byte PRICE_TAG = tag(Trade.PRICE_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final byte QUANTITY_TAG = tag(Trade.QUANTITY_FIELD_NUMBER, LENGTH_DELIMITED);
  private static final byte TAKER_SIDE_TAG = tag(Trade.TAKER_SIDE_FIELD_NUMBER, VARINT);
  private static final byte TRADE_TIME_TAG = tag(Trade.TRADE_TIME_MS_FIELD_NUMBER, VARINT);
  private static final byte RECEIVE_TIME_TAG = tag(Trade.RECEIVE_TIME_MS_FIELD_NUMBER, VARINT);

  private final int exchangeId;
  private final int currencyPairNo;
  private final int capacity;
  /** The two market fields, encoded once: the same in every trade of the page. */
  private final byte[] market;
  private byte[] buffer;
  private int length;
  private int count;
  private long lastTime;
  private byte[] lastTradeId;

  /** A page of the market's trades, of at most {@code capacity} trades. */
  public TradePageEncoder(int exchangeId, int currencyPairNo, int capacity) {
    this.exchangeId = exchangeId;
    this.currencyPairNo = currencyPairNo;
    this.capacity = capacity;
    this.buffer = new byte[Math.max(256, Math.min(capacity, 10_000) * 64)];
    putVarintField(tag(Trade.EXCHANGE_ID_FIELD_NUMBER, VARINT), exchangeId);
    putVarintField(tag(Trade.CURRENCY_PAIR_NO_FIELD_NUMBER, VARINT), currencyPairNo);
    this.market = Arrays.copyOf(buffer, length);
    this.length = 0;
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

  /** Appends a trade (at most {@link #capacity()}); {@code takerSide} and the times as stored, 0 for none. */
  void add(byte[] tradeId, byte[] price, byte[] quantity, int takerSide, long tradeTimeMs, long receiveTimeMs) {
    int size = market.length + bytesFieldSize(tradeId) + bytesFieldSize(price) + bytesFieldSize(quantity)
        + varintFieldSize(takerSide) + varintFieldSize(tradeTimeMs) + varintFieldSize(receiveTimeMs);
    reserve(1 + varintSize(size) + size);
    buffer[length++] = TRADES_TAG;
    putVarint(size);
    System.arraycopy(market, 0, buffer, length, market.length);
    length += market.length;
    putBytesField(TRADE_ID_TAG, tradeId);
    putBytesField(PRICE_TAG, price);
    putBytesField(QUANTITY_TAG, quantity);
    putVarintField(TAKER_SIDE_TAG, takerSide);
    putVarintField(TRADE_TIME_TAG, tradeTimeMs);
    putVarintField(RECEIVE_TIME_TAG, receiveTimeMs);
    count++;
    lastTime = tradeTimeMs;
    lastTradeId = tradeId;
  }

  public int count() {
    return count;
  }

  /** The page's last trade time; only when {@link #count()} > 0. */
  public long lastTime() {
    return lastTime;
  }

  /** The page's last trade id; only when {@link #count()} > 0. */
  public String lastTradeId() {
    return new String(lastTradeId, StandardCharsets.UTF_8);
  }

  /** The response: the trades added, then the token ({@code ""} on the last page). */
  public EncodedMessage finish(String nextPageToken) {
    return finish(nextPageToken, 0);
  }

  /** The response: the trades added, the token ({@code ""} on the last page), {@code retained_from_ms} (0: none). */
  public EncodedMessage finish(String nextPageToken, long retainedFromMs) {
    if (!nextPageToken.isEmpty()) {
      byte[] token = nextPageToken.getBytes(StandardCharsets.UTF_8);
      reserve(bytesFieldSize(token));
      putBytesField(TOKEN_TAG, token);
    }
    reserve(varintFieldSize(retainedFromMs));
    putVarintField(RETAINED_FROM_TAG, retainedFromMs);
    return new EncodedMessage(buffer, length);
  }

  /** A field tag that fits one byte: field numbers 1 to 15. */
  private static byte tag(int fieldNumber, int wireType) {
    int tag = fieldNumber << 3 | wireType;
    if (tag > 0x7f) {
      throw new IllegalArgumentException("field " + fieldNumber + " needs a tag of more than one byte");
    }
    return (byte) tag;
  }

  /** Bytes of a varint: 7 bits a byte; negative numbers take 10 (int32 and enums sign-extended, as protobuf does). */
  private static int varintSize(long value) {
    return (63 - Long.numberOfLeadingZeros(value | 1)) / 7 + 1;
  }

  private static int varintFieldSize(long value) {
    return value == 0 ? 0 : 1 + varintSize(value);
  }

  private static int bytesFieldSize(byte[] value) {
    return 1 + varintSize(value.length) + value.length;
  }

  private void putVarint(long value) {
    while ((value & ~0x7fL) != 0) {
      buffer[length++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    buffer[length++] = (byte) value;
  }

  /** A number field; a zero is left out, as protobuf leaves out a default. */
  private void putVarintField(byte tag, long value) {
    if (value != 0) {
      buffer[length++] = tag;
      putVarint(value);
    }
  }

  private void putBytesField(byte tag, byte[] value) {
    buffer[length++] = tag;
    putVarint(value.length);
    System.arraycopy(value, 0, buffer, length, value.length);
    length += value.length;
  }

  /** Room for {@code bytes} more: the buffer doubles. */
  private void reserve(int bytes) {
    if (buffer.length - length < bytes) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + bytes));
    }
  }
}
