package io.tickvault.server.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * How exchange API keys are kept: the master key their secrets are encrypted under, the keys of
 * earlier rotations that still decrypt, and how long an entry lives in the Redis cache. A class,
 * not a record, so that the key bytes are copied in and out and never printed.
 */
public final class ApiKeySettings {
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(300);
  /** AES-256. */
  public static final int MASTER_KEY_BYTES = 32;

  private static final Bounds TTL = Bounds.positive("TICKVAULT_API_KEY_TTL", ChronoUnit.SECONDS, 86_400 * 7);

  private final byte[] masterKey;
  private final List<byte[]> oldMasterKeys;
  private final Duration ttl;

  /**
   * @param masterKey null in the embedded default: the key is generated once and kept in the data dir
   * @param oldMasterKeys previous master keys, still accepted for decryption while rows are re-encrypted
   */
  public ApiKeySettings(byte[] masterKey, List<byte[]> oldMasterKeys, Duration ttl) {
    TTL.check(ttl);
    this.masterKey = masterKey == null ? null : masterKey.clone();
    this.oldMasterKeys = oldMasterKeys.stream().map(byte[]::clone).toList();
    this.ttl = ttl;
  }

  public Optional<byte[]> masterKey() {
    return Optional.ofNullable(masterKey).map(byte[]::clone);
  }

  public List<byte[]> oldMasterKeys() {
    return oldMasterKeys.stream().map(byte[]::clone).toList();
  }

  /** How long an API key entry lives in Redis (plus jitter). */
  public Duration ttl() {
    return ttl;
  }

  static ApiKeySettings fromEnvironment(EnvReader env) {
    byte[] masterKey = env.string("TICKVAULT_MASTER_KEY").map(key -> decode("TICKVAULT_MASTER_KEY", key)).orElse(null);
    List<byte[]> oldMasterKeys = env.list("TICKVAULT_OLD_MASTER_KEYS").stream()
        .map(key -> decode("TICKVAULT_OLD_MASTER_KEYS", key)).toList();
    return new ApiKeySettings(masterKey, oldMasterKeys, env.duration(TTL, DEFAULT_TTL));
  }

  private static byte[] decode(String variable, String base64) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(variable + ": not valid base64");
    }
    if (key.length != MASTER_KEY_BYTES) {
      throw new ConfigException(variable + ": expected base64 of " + MASTER_KEY_BYTES + " bytes, got " + key.length + " bytes");
    }
    return key;
  }
}
