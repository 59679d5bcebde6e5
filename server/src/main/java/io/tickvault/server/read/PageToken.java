package io.tickvault.server.read;

import io.tickvault.server.grpc.FieldViolations;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code next_page_token} of a streamed read: the key of the last row sent, and the identity of
 * the read it belongs to (kind, market, range), so that a token handed to another read is refused
 * instead of silently skipping or repeating rows. Never a row offset: rows stored meanwhile do not
 * shift what a token means.
 *
 * <p>Encoding: a {@link TokenEnvelope} (base64 of a version byte, the fields, a CRC-32). The CRC is
 * not a signature: anyone can recompute it. A forged token is harmless only because every
 * field it decodes to is checked before it reaches a query ({@link #impossible}): a key that no
 * read can have sent (a trade id that is not UTF-8, holds a NUL or is longer than any stored one,
 * a time outside the read's range) is INVALID_ARGUMENT like a mangled token, and a well-formed
 * forgery can only read what its caller could read anyway. Tokens carry no key, so every replica
 * accepts every other's, and those of earlier versions of the server.
 *
 * @param lastTime {@code trade_time_ms} or {@code server_time_ms} of the last row sent
 * @param lastTradeId the last trade's id (trades), or "" (order books)
 * @param lastSequenceId the last snapshot's {@code sequence_id} (order books), or 0 (trades)
 */
public record PageToken(Kind kind, int exchangeId, int currencyPairNo, long startTimeMs, long endTimeMs,
                 long lastTime, String lastTradeId, long lastSequenceId) {
  static final String FIELD = "page_token";
  private static final byte VERSION = 1;
  /**
   * The longest trade id a token may hold, in UTF-8 bytes: ingestion stores at most 64 characters,
   * at most 4 bytes each.
   */
  static final int MAX_TRADE_ID_BYTES = 256;

  /** The read a token belongs to; an audit log token carries its chain in lastTradeId and its seq in lastSequenceId. */
  public enum Kind { TRADES, ORDER_BOOKS, AUDIT_LOG }

  public String encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(kind.ordinal());
      out.writeInt(exchangeId);
      out.writeInt(currencyPairNo);
      out.writeLong(startTimeMs);
      out.writeLong(endTimeMs);
      out.writeLong(lastTime);
      byte[] tradeId = lastTradeId.getBytes(StandardCharsets.UTF_8);
      out.writeShort(tradeId.length);
      out.write(tradeId);
      out.writeLong(lastSequenceId);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return TokenEnvelope.seal(VERSION, bytes.toByteArray());
  }

  /**
   * The token of a request, checked against the request's own kind, market and range: null for an
   * empty token, and null with a violation on field page_token when it is malformed or belongs to
   * another read.
   */
  public static PageToken decode(FieldViolations violations, String token, Kind kind, int exchangeId, int currencyPairNo,
                          long startTimeMs, long endTimeMs) {
    if (token.isEmpty()) {
      return null;
    }
    PageToken t = parse(token);
    String impossible;
    if (t == null) {
      violations.add(FIELD, "is not a token this server issued (malformed or cut): "
          + "pass a next_page_token exactly as received, or leave it empty to start over");
    } else if (t.kind != kind) {
      violations.add(FIELD, "is a token of another RPC");
    } else if (t.exchangeId != exchangeId || t.currencyPairNo != currencyPairNo
        || t.startTimeMs != startTimeMs || t.endTimeMs != endTimeMs) {
      violations.add(FIELD, "was issued for a read with " + t.differences(exchangeId, currencyPairNo, startTimeMs, endTimeMs)
          + ": send it with the request that received it (only page_token changes), or leave it empty to start over");
    } else if ((impossible = t.impossible()) != null) {
      violations.add(FIELD, "is not a token this server issued (" + impossible + "): "
          + "pass a next_page_token exactly as received, or leave it empty to start over");
    } else {
      return t;
    }
    return null;
  }

  /**
   * Why no read of this token's own kind and range could have sent its last key, or null when one
   * could: the check that keeps a forged token's fields out of the queries.
   */
  private String impossible() {
    long end = endTimeMs == 0 ? Long.MAX_VALUE : endTimeMs;
    if (lastTime < startTimeMs || lastTime >= end) {
      return "its last time " + lastTime + " is outside the read's range";
    }
    if (kind == Kind.ORDER_BOOKS) {
      return lastTradeId.isEmpty() ? null : "an order book token with a trade id";
    }
    if (kind == Kind.AUDIT_LOG) {
      return lastSequenceId > 0 && isUuid(lastTradeId) ? null : "an audit log token without a chain and seq";
    }
    if (lastSequenceId != 0) {
      return "a trade token with a sequence id";
    }
    if (lastTradeId.isEmpty() || lastTradeId.indexOf('\0') >= 0) {
      return lastTradeId.isEmpty() ? "an empty trade id" : "a trade id with a NUL character";
    }
    return null;
  }

  private static boolean isUuid(String text) {
    try {
      return UUID.fromString(text).toString().equals(text);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** What this token's read has that the request does not, in the request's own field names. */
  private String differences(int exchangeId, int currencyPairNo, long startTimeMs, long endTimeMs) {
    List<String> differences = new ArrayList<>();
    if (this.exchangeId != exchangeId || this.currencyPairNo != currencyPairNo) {
      differences.add("market " + this.exchangeId + "/" + this.currencyPairNo
          + " (this request has " + exchangeId + "/" + currencyPairNo + ")");
    }
    if (this.startTimeMs != startTimeMs) {
      differences.add("start_time_ms " + this.startTimeMs + " (this request has " + startTimeMs + ")");
    }
    if (this.endTimeMs != endTimeMs) {
      differences.add((this.endTimeMs == 0 ? "no end_time_ms" : "end_time_ms " + this.endTimeMs)
          + " (this request has " + (endTimeMs == 0 ? "none" : endTimeMs) + ")");
    }
    return String.join(" and ", differences);
  }

  /** The token, or null when it is not one this server issued. */
  private static PageToken parse(String token) {
    byte[] fields = TokenEnvelope.open(token, VERSION);
    if (fields == null) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(fields))) {
      int kind = in.readUnsignedByte();
      if (kind >= Kind.values().length) {
        return null;
      }
      int exchangeId = in.readInt();
      int currencyPairNo = in.readInt();
      long start = in.readLong();
      long end = in.readLong();
      long lastTime = in.readLong();
      int tradeIdLength = in.readUnsignedShort();
      if (tradeIdLength > MAX_TRADE_ID_BYTES) {
        return null;
      }
      byte[] tradeId = new byte[tradeIdLength];
      in.readFully(tradeId);
      long lastSequenceId = in.readLong();
      if (in.available() != 0) {
        return null;
      }
      return new PageToken(Kind.values()[kind], exchangeId, currencyPairNo, start, end, lastTime,
          TokenEnvelope.strictUtf8(tradeId), lastSequenceId);
    } catch (IOException e) {
      return null; // cut short, or a trade id that is not UTF-8
    }
  }

  /** Compares by code point, which is the byte order of UTF-8 (and of PostgreSQL's "C" collation). */
  public static int compareUtf8(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
