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
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The {@code next_page_token} of a streamed read: the key of the last row sent, and the identity of
 * the read it belongs to (kind, market, range), so that a token handed to another read is refused
 * instead of silently skipping or repeating rows. Never a row offset: rows stored meanwhile do not
 * shift what a token means.
 *
 * <p>Encoding: URL-safe base64 (no padding) of a version byte, then the fields, then a CRC-32 of all
 * of it, which catches a token that was cut or mangled on its way through a shell or a file. The
 * CRC is not a signature: a caller who forges a token can only read what it could read anyway.
 *
 * @param lastTime {@code trade_time_ms} or {@code server_time_ms} of the last row sent
 * @param lastTradeId the last trade's id (trades), or "" (order books)
 * @param lastSequenceId the last snapshot's {@code sequence_id} (order books), or 0 (trades)
 */
public record PageToken(Kind kind, int exchangeId, int currencyPairNo, long startTimeMs, long endTimeMs,
                 long lastTime, String lastTradeId, long lastSequenceId) {
  static final String FIELD = "page_token";
  private static final byte VERSION = 1;

  public enum Kind { TRADES, ORDER_BOOKS }

  public String encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
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
      out.flush();
      CRC32 crc = new CRC32();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
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
    if (t == null) {
      violations.add(FIELD, "is not a token this server issued (malformed or cut): "
          + "pass a next_page_token exactly as received, or leave it empty to start over");
    } else if (t.kind != kind) {
      violations.add(FIELD, "is a token of another RPC");
    } else if (t.exchangeId != exchangeId || t.currencyPairNo != currencyPairNo
        || t.startTimeMs != startTimeMs || t.endTimeMs != endTimeMs) {
      violations.add(FIELD, "was issued for a read with " + t.differences(exchangeId, currencyPairNo, startTimeMs, endTimeMs)
          + ": send it with the request that received it (only page_token changes), or leave it empty to start over");
    } else {
      return t;
    }
    return null;
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
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (bytes.length < 5 || bytes[0] != VERSION) {
      return null;
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      in.skipBytes(bytes.length - 4);
      if (in.readInt() != (int) crc.getValue()) {
        return null;
      }
    } catch (IOException e) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 5))) {
      int kind = in.readUnsignedByte();
      if (kind >= Kind.values().length) {
        return null;
      }
      int exchangeId = in.readInt();
      int currencyPairNo = in.readInt();
      long start = in.readLong();
      long end = in.readLong();
      long lastTime = in.readLong();
      byte[] tradeId = new byte[in.readUnsignedShort()];
      in.readFully(tradeId);
      long lastSequenceId = in.readLong();
      if (in.available() != 0) {
        return null;
      }
      return new PageToken(Kind.values()[kind], exchangeId, currencyPairNo, start, end, lastTime,
          new String(tradeId, StandardCharsets.UTF_8), lastSequenceId);
    } catch (IOException e) {
      return null;
    }
  }
}
