package io.tickvault.server.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master keys the server knows: one current key that encrypts, and older keys that still
 * decrypt what they encrypted until every row has been re-encrypted. Each key is known by a short
 * id, a fingerprint that is stored beside each ciphertext: never the key itself.
 */
public final class MasterKeys {
  public static final int KEY_BYTES = 32;

  private final String currentId;
  private final Map<String, SecretKey> byId;

  private MasterKeys(String currentId, Map<String, SecretKey> byId) {
    this.currentId = currentId;
    this.byId = byId;
  }

  /** The current key and, for rotation, the previous ones (32 bytes each). */
  public static MasterKeys of(byte[] current, List<byte[]> previous) {
    return new MasterKeys(keyId(current), keysById(current, previous, MasterKeys::aesKey));
  }

  /**
   * A key made from each master key, the current one first and then the previous ones, by the id
   * of the master key it was made from (a master key given twice counts once).
   */
  public static <K> Map<String, K> keysById(byte[] current, List<byte[]> previous, Function<byte[], K> make) {
    Map<String, K> byId = new LinkedHashMap<>();
    byId.put(keyId(current), make.apply(current));
    for (byte[] key : previous) {
      byId.putIfAbsent(keyId(key), make.apply(key));
    }
    return Map.copyOf(byId);
  }

  /**
   * The id of a key: the first 8 hex digits of SHA-256 over a fixed label and the key. The label
   * keeps this fingerprint from being a plain hash of the key that could be matched elsewhere.
   */
  public static String keyId(byte[] key) {
    requireKeyLength(key);
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update("tickvault master key id".getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(sha256.digest(key), 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public String currentId() {
    return currentId;
  }

  SecretKey current() {
    return byId.get(currentId);
  }

  Optional<SecretKey> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  private static SecretKey aesKey(byte[] key) {
    requireKeyLength(key);
    return new SecretKeySpec(key, "AES");
  }

  private static void requireKeyLength(byte[] key) {
    if (key == null || key.length != KEY_BYTES) {
      throw new IllegalArgumentException("a master key is " + KEY_BYTES + " bytes (AES-256)");
    }
  }
}
