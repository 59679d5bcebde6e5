package io.tickvault.server.apikeys;

import io.tickvault.server.crypto.SecretCipher;
import io.tickvault.server.crypto.SecretDecryptionException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-encrypts every stored secret that is not under the current master key, page by page, so an
 * old master key can be retired. Safe to run while servers serve: a row is replaced only if it
 * still holds the ciphertext that was read, and servers that know both keys read either.
 */
public final class ApiKeyReencryption {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyReencryption.class);
  static final int PAGE = 500;

  /** What a run did: rows re-encrypted, rows changed meanwhile by a put, rows that could not be decrypted. */
  public record Result(long reencrypted, long changedMeanwhile, long undecryptable) {}

  private final ApiKeyRepository repository;
  private final ApiKeySecrets secrets;

  public ApiKeyReencryption(ApiKeyRepository repository, ApiKeySecrets secrets) {
    this.repository = repository;
    this.secrets = secrets;
  }

  public Result run() {
    String current = secrets.currentKeyId();
    long reencrypted = 0;
    long changed = 0;
    long undecryptable = 0;
    StoredApiKey after = null;
    while (true) {
      List<StoredApiKey> page = repository.findNotEncryptedUnder(current, after, PAGE);
      if (page.isEmpty()) {
        break;
      }
      for (StoredApiKey row : page) {
        try {
          SecretCipher.Sealed sealed = secrets.reseal(row);
          if (repository.replaceCiphertext(row, sealed.ciphertext(), sealed.keyId())) {
            reencrypted++;
          } else {
            changed++; // a put replaced it meanwhile, under the current key
          }
        } catch (SecretDecryptionException e) {
          undecryptable++;
          log.error("cannot re-encrypt the key of user '{}' on exchange {} (master key id {}): {}",
              row.userId(), row.exchangeId(), row.masterKeyId(), e.getMessage());
        }
      }
      after = page.get(page.size() - 1);
    }
    return new Result(reencrypted, changed, undecryptable);
  }
}
