package io.tickvault.server.audit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * How a record is written in a spool file: a frame of its length, the record's fields as they are
 * hashed ({@link AuditChain#writeFields}) and its two hashes, and a CRC-32 of them. A frame cut short or damaged (a crash in the middle of a write that was never
 * acknowledged) ends the readable part of the file.
 */
final class SpoolFormat {
  /** A frame larger than this is damage, not a record: every text of a record is bounded. */
  static final int MAX_FRAME = 16 * 1024;

  private SpoolFormat() {}

  static ByteBuffer encode(List<ChainedRecord> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(records.size() * 256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (ChainedRecord r : records) {
        byte[] payload = payload(r);
        CRC32 crc = new CRC32();
        crc.update(payload);
        out.writeInt(payload.length);
        out.write(payload);
        out.writeInt((int) crc.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return ByteBuffer.wrap(bytes.toByteArray());
  }

  /**
   * The record of the frame at the buffer's position, the position moved past it; null (position
   * unchanged) when what is left is not a whole, intact frame.
   */
  static ChainedRecord decodeNext(ByteBuffer buffer) {
    int start = buffer.position();
    if (buffer.remaining() < 8) {
      return null;
    }
    int length = buffer.getInt();
    if (length <= 0 || length > MAX_FRAME || buffer.remaining() < length + 4) {
      buffer.position(start);
      return null;
    }
    byte[] payload = new byte[length];
    buffer.get(payload);
    CRC32 crc = new CRC32();
    crc.update(payload);
    if (buffer.getInt() != (int) crc.getValue()) {
      buffer.position(start);
      return null;
    }
    try {
      return fromPayload(payload);
    } catch (IOException | RuntimeException e) {
      buffer.position(start);
      return null;
    }
  }

  private static byte[] payload(ChainedRecord r) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      AuditChain.writeFields(out, r.chainId(), r.seq(), r.event(), r.keyId());
      out.write(r.prevHash());
      out.write(r.hash());
      if (!r.event().subject().isEmpty()) {
        // Last, and only when there is one: a frame written before subjects existed reads as it did.
        AuditChain.text(out, r.event().subject());
      }
    }
    return bytes.toByteArray();
  }

  private static ChainedRecord fromPayload(byte[] payload) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      UUID chain = new UUID(in.readLong(), in.readLong());
      long seq = in.readLong();
      long timeMs = in.readLong();
      String tokenId = text(in);
      String peer = text(in);
      String method = text(in);
      String userId = text(in);
      int exchangeId = in.readInt();
      String outcome = text(in);
      String keyId = text(in);
      byte[] prev = new byte[32];
      in.readFully(prev);
      byte[] hash = new byte[32];
      in.readFully(hash);
      String subject = in.available() > 0 ? text(in) : "";
      return new ChainedRecord(chain, seq,
          new AuditEvent(timeMs, tokenId, peer, method, userId, exchangeId, outcome, subject), keyId, prev, hash);
    }
  }

  private static String text(DataInputStream in) throws IOException {
    byte[] utf8 = new byte[in.readUnsignedShort()];
    in.readFully(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }
}
