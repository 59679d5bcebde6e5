package io.tickvault.server.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM for API key secrets. A ciphertext is {@code nonce (12 bytes) || ciphertext || tag
 * (16 bytes)}; the caller keeps the key id beside it and passes the same associated data (the
 * row's identity) to both directions, so a ciphertext moved to another row does not decrypt.
 */
public final class SecretCipher {
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  /**
   * Decryption is on every GetApiKeys; looking the provider up per call costs more than the AES
   * itself. A Cipher is not thread-safe, hence one per thread; GCM allows re-initialising a
   * decrypting Cipher with any key and nonce (only encryption forbids reusing a nonce).
   */
  private static final ThreadLocal<Cipher> DECRYPTERS = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is part of every JDK", e);
    }
  });

  private final MasterKeys keys;
  private final SecureRandom random = new SecureRandom();

  public SecretCipher(MasterKeys keys) {
    this.keys = keys;
  }

  /** A ciphertext and the id of the master key that made it. */
  public record Sealed(byte[] ciphertext, String keyId) {}

  /** Encrypts under the current master key with a fresh random nonce. */
  public Sealed encrypt(String secret, byte[] associatedData) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, keys.current(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData);
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return new Sealed(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array(), keys.currentId());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts with the master key the id names. Throws {@link SecretDecryptionException} when the
   * key id is unknown or the ciphertext, its tag or the associated data were changed.
   */
  public String decrypt(byte[] ciphertext, String keyId, byte[] associatedData) {
    SecretKey key = keys.byId(keyId)
        .orElseThrow(() -> new SecretDecryptionException("unknown master key id '" + keyId + "'"));
    if (ciphertext.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new SecretDecryptionException("ciphertext too short");
    }
    try {
      Cipher cipher = DECRYPTERS.get();
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 0, NONCE_BYTES));
      cipher.updateAAD(associatedData);
      byte[] plain = cipher.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new SecretDecryptionException("authentication tag mismatch (tampered ciphertext or wrong identity)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  public String currentKeyId() {
    return keys.currentId();
  }
}
