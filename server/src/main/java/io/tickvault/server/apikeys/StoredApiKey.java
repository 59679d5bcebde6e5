package io.tickvault.server.apikeys;

/**
 * One row of {@code exchange_api_keys} as it is stored and cached: the secret still encrypted,
 * with the id of the master key that encrypted it.
 */
public record StoredApiKey(
    String userId,
    int exchangeId,
    String accessKey,
    byte[] secretCiphertext,
    String masterKeyId,
    String label,
    long updateTimeMs) {}
