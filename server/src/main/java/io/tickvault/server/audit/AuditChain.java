package io.tickvault.server.audit;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;

/**
 * This server instance's chain of audit records: a fresh id at each start, records numbered from 1
 * without a gap, each hash covering the record's fields and the previous record's hash
 * ({@link #hash}). Only the audit writer's thread uses it. {@link #extend} computes the next
 * records without taking them; {@link #advance} takes them once they are durable, so a group that
 * could be stored nowhere leaves no hole in the chain.
 */
final class AuditChain {
  /** The previous hash of a chain's first record. */
  static final byte[] GENESIS = new byte[32];
  private static final byte[] DOMAIN = "tickvault-audit-record-v1".getBytes(StandardCharsets.US_ASCII);

  private final UUID id;
  private final String keyId;
  private final Mac mac;
  private long lastSeq;
  private byte[] head = GENESIS;

  AuditChain(UUID id, AuditKeys keys) {
    this.id = id;
    this.keyId = keys.currentId();
    this.mac = keys.mac(keyId).orElseThrow();
  }

  UUID id() {
    return id;
  }

  /** The id of the master key whose derived key hashes this chain. */
  String keyId() {
    return keyId;
  }

  /** The number of the last durable record (0: none yet). */
  long lastSeq() {
    return lastSeq;
  }

  /** The hash of the last durable record (zeros: none yet). */
  byte[] head() {
    return head.clone();
  }

  /** The events as the next records of the chain; the chain itself is not moved ({@link #advance}). */
  List<ChainedRecord> extend(List<AuditEvent> events) {
    List<ChainedRecord> records = new ArrayList<>(events.size());
    long seq = lastSeq;
    byte[] prev = head;
    for (AuditEvent event : events) {
      seq++;
      byte[] hash = hash(mac, id, seq, event, keyId, prev);
      records.add(new ChainedRecord(id, seq, event, keyId, prev, hash));
      prev = hash;
    }
    return records;
  }

  /** The records {@link #extend} returned are durable: the chain continues after the last one. */
  void advance(List<ChainedRecord> records) {
    ChainedRecord last = records.get(records.size() - 1);
    if (last.seq() != lastSeq + records.size()) {
      throw new IllegalStateException("records do not continue the chain at " + lastSeq);
    }
    lastSeq = last.seq();
    head = last.hash();
  }

  /**
   * The HMAC of one record: a fixed label, the record's fields ({@link #writeFields}), its subject
   * when it has one, then the previous record's hash. Verification recomputes it from the stored row.
   */
  static byte[] hash(Mac mac, UUID chainId, long seq, AuditEvent e, String keyId, byte[] prevHash) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(DOMAIN);
      writeFields(out, chainId, seq, e, keyId);
      if (!e.subject().isEmpty()) {
        // Only when there is one: a record written before subjects existed hashes as it did.
        text(out, e.subject());
      }
      out.write(prevHash);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex); // a byte array does not fail
    }
    return mac.doFinal(bytes.toByteArray());
  }

  /**
   * Every field of a record but its hashes and its subject, in a fixed order, texts as their UTF-8 length (two
   * bytes: a text is at most {@link AuditEvent#MAX_TEXT} characters) and bytes. What is hashed, and
   * what a spool frame starts with.
   */
  static void writeFields(DataOutputStream out, UUID chainId, long seq, AuditEvent e, String keyId) throws IOException {
    out.writeLong(chainId.getMostSignificantBits());
    out.writeLong(chainId.getLeastSignificantBits());
    out.writeLong(seq);
    out.writeLong(e.timeMs());
    text(out, e.tokenId());
    text(out, e.peer());
    text(out, e.method());
    text(out, e.userId());
    out.writeInt(e.exchangeId());
    text(out, e.outcome());
    text(out, keyId);
  }

  static boolean sameHash(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  static void text(DataOutputStream out, String text) throws IOException {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    out.writeShort(utf8.length);
    out.write(utf8);
  }
}
