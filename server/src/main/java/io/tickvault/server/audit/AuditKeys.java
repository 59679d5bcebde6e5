package io.tickvault.server.audit;

import io.tickvault.server.crypto.MasterKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys of the audit chains' HMACs, each derived from a master key (HMAC-SHA-256 of the master
 * key over a fixed label) and known by that master key's id. The current one hashes new records;
 * the old master keys of a rotation still verify the chains they hashed.
 *
 * <p>Why an HMAC and not a plain SHA-256 chain: with a plain hash, whoever can write to PostgreSQL
 * (a stolen database password, a restored and edited backup) can change a record and recompute every
 * hash after it, and only a head anchored elsewhere would tell. With a key that lives only where
 * the master key lives, {@code VerifyAuditLog} finds such an edit by itself; the anchored heads
 * remain the answer to someone who holds the master key too, or who cuts a chain's tail.
 */
public final class AuditKeys {
  private static final byte[] LABEL = "tickvault audit chain v1".getBytes(StandardCharsets.US_ASCII);

  private final String currentId;
  private final Map<String, SecretKeySpec> byId;

  private AuditKeys(String currentId, Map<String, SecretKeySpec> byId) {
    this.currentId = currentId;
    this.byId = byId;
  }

  public static AuditKeys of(byte[] currentMasterKey, List<byte[]> oldMasterKeys) {
    return new AuditKeys(MasterKeys.keyId(currentMasterKey),
        MasterKeys.keysById(currentMasterKey, oldMasterKeys, AuditKeys::derive));
  }

  public String currentId() {
    return currentId;
  }

  /** A fresh HMAC under the key of this id, or empty when no configured master key has it. */
  Optional<Mac> mac(String keyId) {
    SecretKeySpec key = byId.get(keyId);
    if (key == null) {
      return Optional.empty();
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return Optional.of(mac);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static SecretKeySpec derive(byte[] masterKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(masterKey, "HmacSHA256"));
      return new SecretKeySpec(mac.doFinal(LABEL), "HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
