package io.tickvault.server.audit;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;

/**
 * Walks every chain in {@code audit_log} in seq order and finds the first record that is not as it
 * was written: a gap in seq (a record deleted: it is named by its missing seq), a {@code prev_hash}
 * that is not the hash of the record before, or a hash that the record's fields and key do not
 * give (a record changed). It cannot see records cut from the end of a chain, or a whole chain
 * deleted: the heads anchored elsewhere tell those (docs/security.md).
 */
public final class AuditVerifier {
  private static final int PAGE = 10_000;

  /**
   * What a walk found.
   *
   * @param firstBadSeq the seq of the first bad record, 0 when intact
   * @param chainId the chain of that record, null when intact
   */
  public record Result(boolean intact, long recordsChecked, UUID chainId, long firstBadSeq, String detail,
                       List<Head> heads) {}

  /** The last record of a chain: what an operator compares with a head anchored earlier. */
  public record Head(UUID chainId, long seq, byte[] hash) {}

  private final AuditRepository repository;
  private final AuditKeys keys;

  public AuditVerifier(AuditRepository repository, AuditKeys keys) {
    this.repository = repository;
    this.keys = keys;
  }

  public Result verify() {
    long checked = 0;
    List<Head> heads = new ArrayList<>();
    UUID chain = null;
    long seq = 0;
    byte[] prev = AuditChain.GENESIS;
    while (true) {
      List<ChainedRecord> page = repository.inChainOrder(chain, seq, PAGE);
      for (ChainedRecord r : page) {
        if (!r.chainId().equals(chain)) {
          if (chain != null) {
            heads.add(new Head(chain, seq, prev));
          }
          chain = r.chainId();
          seq = 0;
          prev = AuditChain.GENESIS;
        }
        String bad = check(r, seq, prev);
        if (bad != null) {
          long badSeq = r.seq() == seq + 1 ? r.seq() : seq + 1;
          return new Result(false, checked, chain, badSeq, "chain " + chain + ", record " + badSeq + ": " + bad, heads);
        }
        checked++;
        seq = r.seq();
        prev = r.hash();
      }
      if (page.size() < PAGE) {
        if (chain != null) {
          heads.add(new Head(chain, seq, prev));
        }
        return new Result(true, checked, null, 0, checked + " records in " + heads.size() + " chains verified", heads);
      }
    }
  }

  /** What is wrong with the record that follows {@code seq} (hash {@code prev}) in its chain, or null. */
  private String check(ChainedRecord r, long seq, byte[] prev) {
    if (r.seq() != seq + 1) {
      return r.seq() == seq + 2 ? "missing (deleted): the chain goes from " + seq + " to " + r.seq()
          : "missing (deleted), with the records up to " + (r.seq() - 1) + ": the chain goes from " + seq + " to "
              + r.seq();
    }
    if (!AuditChain.sameHash(r.prevHash(), prev)) {
      return "its prev_hash " + hex(r.prevHash()) + " is not the hash of record " + seq + " (" + hex(prev) + ")";
    }
    Optional<Mac> mac = keys.mac(r.keyId());
    if (mac.isEmpty()) {
      return "hashed under master key " + r.keyId() + ", which this server is not given (TICKVAULT_OLD_MASTER_KEYS)";
    }
    byte[] expected = AuditChain.hash(mac.get(), r.chainId(), r.seq(), r.event(), r.keyId(), r.prevHash());
    if (!AuditChain.sameHash(expected, r.hash())) {
      return "its fields do not give its hash: the record was changed";
    }
    return null;
  }

  private static String hex(byte[] bytes) {
    return bytes == null ? "null" : HexFormat.of().formatHex(bytes);
  }
}
