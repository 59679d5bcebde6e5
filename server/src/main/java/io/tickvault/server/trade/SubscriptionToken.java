package io.tickvault.server.trade;

import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.read.TokenEnvelope;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The {@code resume_token} of a SubscribeTrades stream: where it stands in each market, and the
 * request it belongs to (start time and markets, in order), so that a token handed to another
 * subscription is refused. In a {@link TokenEnvelope}, like the read tokens: not a signature, so
 * every field is checked before it reaches a query, and a forgery can read nothing its caller could not subscribe to anyway.
 *
 * @param seqs per market, the last commit seq whose trades are delivered (in the history phase of
 *     that market and those after it: of the snapshot their history is read in)
 * @param current the market whose stored trades are being read; {@code seqs.length} once every
 *     market's history is delivered (the live phase)
 * @param cursorTime with {@code cursorId}, the key of the last stored trade of market
 *     {@code current} delivered: ({@code start_time_ms}, "") before its first
 */
record SubscriptionToken(long startTimeMs, int[] exchangeIds, int[] pairNos, long[] seqs, int current,
                         long cursorTime, String cursorId) {
  static final String FIELD = "resume_token";
  private static final byte VERSION = 1;
  private static final int MAX_TRADE_ID_BYTES = 256;

  boolean live() {
    return current == seqs.length;
  }

  String encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + 16 * seqs.length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(startTimeMs);
      out.writeShort(seqs.length);
      for (int i = 0; i < seqs.length; i++) {
        out.writeInt(exchangeIds[i]);
        out.writeInt(pairNos[i]);
        out.writeLong(seqs[i]);
      }
      out.writeShort(current);
      out.writeLong(cursorTime);
      byte[] id = cursorId.getBytes(StandardCharsets.UTF_8);
      out.writeShort(id.length);
      out.write(id);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return TokenEnvelope.seal(VERSION, bytes.toByteArray());
  }

  /**
   * The token of a request, checked against its start time and markets: null for an empty token,
   * and null with a violation on field resume_token when it is malformed, impossible or another
   * subscription's. That no seq is beyond its market's last is checked once the seqs are read.
   */
  static SubscriptionToken decode(FieldViolations violations, String token, long startTimeMs, int[] exchangeIds,
                                  int[] pairNos) {
    if (token.isEmpty()) {
      return null;
    }
    SubscriptionToken t = parse(token);
    String impossible;
    if (t == null) {
      violations.add(FIELD, "is not a token this server issued (malformed or cut): "
          + "pass a resume_token exactly as received, or leave it empty to start over");
    } else if (t.startTimeMs != startTimeMs || !Arrays.equals(t.exchangeIds, exchangeIds)
        || !Arrays.equals(t.pairNos, pairNos)) {
      violations.add(FIELD, "was issued for a subscription with "
          + (t.startTimeMs != startTimeMs ? "start_time_ms " + t.startTimeMs : "other markets (or in another order)")
          + ": send it with the request that received it (only resume_token changes), or leave it empty to start over");
    } else if ((impossible = t.impossible()) != null) {
      violations.add(FIELD, "is not a token this server issued (" + impossible + "): "
          + "pass a resume_token exactly as received, or leave it empty to start over");
    } else {
      return t;
    }
    return null;
  }

  /** Why no subscription could have sent this token, or null when one could. */
  private String impossible() {
    for (long seq : seqs) {
      if (seq < 0) {
        return "a negative seq";
      }
    }
    if (current < 0 || current > seqs.length) {
      return "no such market";
    }
    if (live() || cursorId.isEmpty()) {
      return cursorTime == startTimeMs && cursorId.isEmpty() ? null : "a cursor where none can be";
    }
    if (cursorTime < startTimeMs) {
      return "a cursor before start_time_ms";
    }
    return cursorId.indexOf('\0') >= 0 ? "a trade id with a NUL character" : null;
  }

  private static SubscriptionToken parse(String token) {
    byte[] fields = TokenEnvelope.open(token, VERSION);
    if (fields == null) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(fields))) {
      long start = in.readLong();
      int n = in.readUnsignedShort();
      int[] exchanges = new int[n];
      int[] pairs = new int[n];
      long[] seqs = new long[n];
      for (int i = 0; i < n; i++) {
        exchanges[i] = in.readInt();
        pairs[i] = in.readInt();
        seqs[i] = in.readLong();
      }
      int current = in.readUnsignedShort();
      long cursorTime = in.readLong();
      int idLength = in.readUnsignedShort();
      if (idLength > MAX_TRADE_ID_BYTES) {
        return null;
      }
      byte[] id = new byte[idLength];
      in.readFully(id);
      if (in.available() != 0) {
        return null;
      }
      return new SubscriptionToken(start, exchanges, pairs, seqs, current, cursorTime, TokenEnvelope.strictUtf8(id));
    } catch (IOException e) {
      return null; // cut short, or an id that is not UTF-8
    }
  }
}
