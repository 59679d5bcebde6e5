package io.tickvault.server.apikeys;

import io.tickvault.api.v1.ApiKey;
import io.tickvault.server.crypto.SecretCipher;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Seals and opens API key secrets, binding each ciphertext to its row's identity (user, exchange,
 * access key) as associated data: a ciphertext copied onto another row fails to decrypt instead
 * of handing one user's secret to another.
 */
public final class ApiKeySecrets {
  private static final byte[] CONTEXT = "tickvault.exchange_api_keys.v1".getBytes(StandardCharsets.US_ASCII);

  private final SecretCipher cipher;

  public ApiKeySecrets(SecretCipher cipher) {
    this.cipher = cipher;
  }

  /** The stored form of a key: its secret encrypted under the current master key. */
  public StoredApiKey seal(String userId, int exchangeId, String accessKey, String secret, String label) {
    SecretCipher.Sealed sealed = cipher.encrypt(secret, associatedData(userId, exchangeId, accessKey));
    return new StoredApiKey(userId, exchangeId, accessKey, sealed.ciphertext(), sealed.keyId(), label, 0);
  }

  /** The key as a worker receives it, secret in plain text; throws SecretDecryptionException. */
  public ApiKey open(StoredApiKey key) {
    return ApiKey.newBuilder()
        .setUserId(key.userId())
        .setExchangeId(key.exchangeId())
        .setAccessKey(key.accessKey())
        .setSecretKey(decrypt(key))
        .setLabel(key.label())
        .setUpdateTimeMs(key.updateTimeMs())
        .build();
  }

  /** The plain secret of a stored key; throws SecretDecryptionException. */
  public String decrypt(StoredApiKey key) {
    return cipher.decrypt(key.secretCiphertext(), key.masterKeyId(),
        associatedData(key.userId(), key.exchangeId(), key.accessKey()));
  }

  /** The same secret sealed again under the current master key (rotation). */
  public SecretCipher.Sealed reseal(StoredApiKey key) {
    return cipher.encrypt(decrypt(key), associatedData(key.userId(), key.exchangeId(), key.accessKey()));
  }

  public String currentKeyId() {
    return cipher.currentKeyId();
  }

  /** Length-prefixed fields, so ("ab", "c") and ("a", "bc") never give the same bytes. */
  static byte[] associatedData(String userId, int exchangeId, String accessKey) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(CONTEXT);
      writeString(out, userId);
      out.writeInt(exchangeId);
      writeString(out, accessKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }
}
