package io.tickvault.server.app;

import io.tickvault.server.apikeys.ApiKeyCache;
import io.tickvault.server.apikeys.ApiKeyRepository;
import io.tickvault.server.apikeys.ApiKeySecrets;
import io.tickvault.server.apikeys.InvalidationSubscriber;
import io.tickvault.server.config.ApiKeySettings;
import io.tickvault.server.crypto.MasterKeys;
import io.tickvault.server.crypto.SecretCipher;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * API keys, wired: secrets encrypted under the master keys, the PostgreSQL repository, and the
 * read-through cache in Redis with its near cache, kept coherent by an invalidation subscription
 * (docs/api-keys.md).
 */
record ApiKeys(ApiKeyRepository repository, ApiKeySecrets secrets, ApiKeyCache cache) {

  static ApiKeys start(ApiKeySettings settings, byte[] masterKey, Infrastructure infra, Clock clock) {
    LazyRedisConnection<RedisConnection<String, byte[]>> redis = infra.redis().commands();
    redis.start(infra.scheduler());
    InvalidationSubscriber invalidations = new InvalidationSubscriber();
    var invalidationConnection = infra.redis().pubSub(invalidations::subscribe,
        "subscribe to API key invalidations", "near cache off");
    invalidations.listenOn(invalidationConnection);

    ApiKeySecrets secrets = new ApiKeySecrets(cipher(settings, masterKey));
    ApiKeyRepository repository = new ApiKeyRepository(infra.jdbc());
    ApiKeyCache cache = ApiKeyCache.create(repository, redis, invalidations, settings.ttl(),
        infra.metrics().registry(), clock);
    invalidationConnection.start(infra.scheduler()); // after create(): the subscriber needs its near cache
    infra.scheduler().scheduleWithFixedDelay(cache::retryPendingInvalidations, 1, 1, TimeUnit.SECONDS);
    return new ApiKeys(repository, secrets, cache);
  }

  /** The current master key encrypts; the old ones (during a rotation) still decrypt. */
  static SecretCipher cipher(ApiKeySettings settings, byte[] masterKey) {
    return new SecretCipher(MasterKeys.of(masterKey, settings.oldMasterKeys()));
  }
}
