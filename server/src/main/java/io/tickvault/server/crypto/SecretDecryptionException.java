package io.tickvault.server.crypto;

/** A stored secret that cannot be decrypted. The message never contains key material or plain text. */
public final class SecretDecryptionException extends RuntimeException {
  public SecretDecryptionException(String message) {
    super(message);
  }
}
