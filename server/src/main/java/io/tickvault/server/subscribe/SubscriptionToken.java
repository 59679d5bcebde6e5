package io.tickvault.server.subscribe;

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
 * The {@code resume_token} of a subscription: where it stands in each market, and the request it
 * belongs to (kind, start time and markets, in order), so that a token handed to another
 * subscription is refused. In a {@link TokenEnvelope}, like the read tokens: not a signature, so
 * every field is checked before it reaches a query, and a forgery can read nothing its caller
 * could not subscribe to anyway. Version 1, SubscribeTrades' tokens before order books had
 * subscriptions too, is still read: a subscriber resumes across an upgrade.
 *
 * @param kind {@link Subscribable#kind()}
 * @param seqs per market, the last commit seq whose records are all delivered (in the history
 *     phase of that market and those after it: of the snapshot their history is read in)
 * @param skips per market, how many records of entry {@code seqs[i] + 1} are delivered (of those
 *     before the cursor, while that market's history is read): a response ends within an entry
 *     when the entry is larger than a response may be
 * @param current the market whose stored records are being read; {@code seqs.length} once every
 *     market's history is delivered (the live phase)
 * @param cursor the key of the last stored record of market {@code current} delivered;
 *     {@link Subscribable#before} the start time before its first
 */
public record SubscriptionToken(byte kind, long startTimeMs, int[] exchangeIds, int[] pairNos, long[] seqs, int[] skips,
                                int current, Subscribable.Cursor cursor) {
  public static final String FIELD = "resume_token";
  /** Tokens of version 1 are SubscribeTrades' ({@link Subscribable#kind()} 1). */
  private static final byte TRADES_V1 = 1;
  private static final byte VERSION = 2;
  private static final int MAX_ID_BYTES = 256;

  boolean live() {
    return current == seqs.length;
  }

  public String encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(40 + 20 * seqs.length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(kind);
      out.writeLong(startTimeMs);
      out.writeShort(seqs.length);
      for (int i = 0; i < seqs.length; i++) {
        out.writeInt(exchangeIds[i]);
        out.writeInt(pairNos[i]);
        out.writeLong(seqs[i]);
        out.writeInt(skips[i]);
      }
      out.writeShort(current);
      out.writeLong(cursor.time());
      out.writeLong(cursor.number());
      byte[] id = cursor.id().getBytes(StandardCharsets.UTF_8);
      out.writeShort(id.length);
      out.write(id);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return TokenEnvelope.seal(VERSION, bytes.toByteArray());
  }

  /**
   * The token of a request, checked against its kind, start time and markets: null for an empty
   * token, and null with a violation on field resume_token when it is malformed, impossible or
   * another subscription's. That no seq is beyond its market's last is checked once the seqs are read.
   */
  public static SubscriptionToken decode(FieldViolations violations, String token, Subscribable<?, ?> kind,
                                         long startTimeMs, int[] exchangeIds, int[] pairNos) {
    if (token.isEmpty()) {
      return null;
    }
    SubscriptionToken t = parse(token);
    String impossible;
    if (t == null) {
      violations.add(FIELD, "is not a token this server issued (malformed or cut): "
          + "pass a resume_token exactly as received, or leave it empty to start over");
    } else if (t.kind != kind.kind()) {
      violations.add(FIELD, "was issued by another kind of subscription than " + kind.rpc()
          + ": send it with the request that received it, or leave it empty to start over");
    } else if (t.startTimeMs != startTimeMs || !Arrays.equals(t.exchangeIds, exchangeIds)
        || !Arrays.equals(t.pairNos, pairNos)) {
      violations.add(FIELD, "was issued for a subscription with "
          + (t.startTimeMs != startTimeMs ? "start_time_ms " + t.startTimeMs : "other markets (or in another order)")
          + ": send it with the request that received it (only resume_token changes), or leave it empty to start over");
    } else if ((impossible = t.impossible(kind)) != null) {
      violations.add(FIELD, "is not a token this server issued (" + impossible + "): "
          + "pass a resume_token exactly as received, or leave it empty to start over");
    } else {
      return t;
    }
    return null;
  }

  /** Why no subscription could have sent this token, or null when one could. */
  private String impossible(Subscribable<?, ?> kind) {
    for (int i = 0; i < seqs.length; i++) {
      if (seqs[i] < 0 || skips[i] < 0) {
        return "a negative seq";
      }
      if (skips[i] > 0 && i > current) {
        return "a market part-read before its turn";
      }
    }
    if (current < 0 || current > seqs.length) {
      return "no such market";
    }
    Subscribable.Cursor before = kind.before(startTimeMs);
    if (live() || cursor.equals(before)) {
      return cursor.equals(before) ? null : "a cursor where none can be";
    }
    if (cursor.time() < startTimeMs) {
      return "a cursor before start_time_ms";
    }
    return kind.impossible(cursor);
  }

  private static SubscriptionToken parse(String token) {
    byte[] fields = TokenEnvelope.open(token, VERSION);
    boolean v1 = fields == null;
    if (v1) {
      fields = TokenEnvelope.open(token, TRADES_V1);
    }
    if (fields == null) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(fields))) {
      byte tokenKind = v1 ? TRADES_V1 : in.readByte();
      long start = in.readLong();
      int n = in.readUnsignedShort();
      int[] exchanges = new int[n];
      int[] pairs = new int[n];
      long[] seqs = new long[n];
      int[] skips = new int[n];
      for (int i = 0; i < n; i++) {
        exchanges[i] = in.readInt();
        pairs[i] = in.readInt();
        seqs[i] = in.readLong();
        skips[i] = v1 ? 0 : in.readInt();
      }
      int current = in.readUnsignedShort();
      long cursorTime = in.readLong();
      long cursorNumber = v1 ? 0 : in.readLong();
      int idLength = in.readUnsignedShort();
      if (idLength > MAX_ID_BYTES) {
        return null;
      }
      byte[] id = new byte[idLength];
      in.readFully(id);
      if (in.available() != 0) {
        return null;
      }
      return new SubscriptionToken(tokenKind, start, exchanges, pairs, seqs, skips, current,
          new Subscribable.Cursor(cursorTime, cursorNumber, TokenEnvelope.strictUtf8(id)));
    } catch (IOException e) {
      return null; // cut short, or an id that is not UTF-8
    }
  }
}
