package io.tickvault.server.apikeys;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-through cache of users' API keys: Redis first; on a miss PostgreSQL, once per user
 * however many calls miss together, then Redis is filled with a jittered TTL. Any Redis failure
 * counts as a miss: the call is answered from PostgreSQL, the failure counted and logged (at most
 * one line per {@link RateLimitedLog#DEFAULT_INTERVAL}).
 *
 * <p>In front of Redis sits a {@link NearCache} of at most one second, trusted only while the
 * pub/sub subscription that carries invalidations is up: a change on any server evicts it on
 * every server within the time a published message takes (milliseconds).
 *
 * <p>Writes invalidate after they commit. When the invalidation cannot reach Redis, the user is
 * kept in {@link #pendingInvalidations}: this server reads that user from PostgreSQL and retries
 * the invalidation every second until Redis takes it. Another server sharing a Redis that this
 * one cannot reach may serve the old entry until it expires: at most TTL + 10 %.
 */
public final class ApiKeyCache {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyCache.class);
  /** A user without keys is cached for a tenth of the TTL: a new key invalidates it anyway. */
  static final int NEGATIVE_TTL_DIVISOR = 10;
  /** Up to a tenth of the TTL is added at random, so entries filled together expire apart. */
  static final int JITTER_DIVISOR = 10;

  /** The keys found, and whether they came from the cache (so a bad entry can be reloaded). */
  public record Lookup(List<StoredApiKey> keys, boolean fromCache) {}

  private final ApiKeyRepository repository;
  private final ApiKeyRedis redis;
  private final NearCache near;
  private final Duration ttl;
  private final ApiKeyCacheMetrics metrics;
  private final RateLimitedLog redisLog;
  private final SingleFlight<String, List<StoredApiKey>> loads;
  private final Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();

  /** A cache over the repository and a (possibly not yet made) Redis connection, counting on the registry. */
  public static ApiKeyCache create(ApiKeyRepository repository,
      LazyRedisConnection<RedisConnection<String, byte[]>> redis, InvalidationSubscriber invalidations,
      Duration ttl, PrometheusRegistry registry, Clock clock) {
    Duration nearTtl = ttl.compareTo(NearCache.MAX_TTL) < 0 ? ttl : NearCache.MAX_TTL;
    NearCache near = new NearCache(nearTtl, clock, invalidations::live);
    ApiKeyCacheMetrics metrics = new ApiKeyCacheMetrics(registry);
    invalidations.attach(near, metrics.invalidationsReceived::inc);
    return new ApiKeyCache(repository, new ApiKeyRedis(redis, clock), near, ttl, metrics, clock);
  }

  ApiKeyCache(ApiKeyRepository repository, ApiKeyRedis redis, NearCache near, Duration ttl,
      ApiKeyCacheMetrics metrics, Clock clock) {
    this.repository = repository;
    this.redis = redis;
    this.near = near;
    this.ttl = ttl;
    this.metrics = metrics;
    this.redisLog = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    this.loads = new SingleFlight<>(metrics.coalescedLoads::inc);
  }

  /**
   * The user's keys from the near cache, or null when answering needs Redis or PostgreSQL
   * ({@link #get}). Never blocks: a hit is answered on the thread that received the call.
   */
  public List<StoredApiKey> nearHit(String userId) {
    if (pendingInvalidations.contains(userId)) {
      return null;
    }
    List<StoredApiKey> keys = near.get(userId);
    if (keys != null) {
      metrics.hit.inc();
      metrics.nearHits.inc();
    }
    return keys;
  }

  /** The user's keys, ordered by exchange_id then access_key. May block on Redis and PostgreSQL. */
  public Lookup get(String userId) {
    if (pendingInvalidations.contains(userId)) {
      metrics.error.inc(); // Redis may hold an entry this server failed to invalidate
      return new Lookup(loadFromDatabase(userId), false);
    }
    List<StoredApiKey> nearKeys = near.get(userId);
    if (nearKeys != null) {
      metrics.hit.inc();
      metrics.nearHits.inc();
      return new Lookup(nearKeys, true);
    }
    long epoch = near.epoch();
    ApiKeyRedis.Entry entry;
    try {
      entry = redis.lookup(userId);
    } catch (CacheUnavailableException e) {
      metrics.error.inc();
      metrics.lookupErrors.inc();
      redisLog.warn("API key cache: " + e.getMessage() + "; answering from PostgreSQL");
      return new Lookup(loadFromDatabase(userId), false);
    }
    if (entry.value() != null) {
      try {
        List<StoredApiKey> keys = CachedApiKeysCodec.decode(userId, entry.value());
        metrics.hit.inc();
        near.put(userId, keys, epoch);
        return new Lookup(keys, true);
      } catch (IllegalArgumentException e) {
        metrics.undecodableEntries.inc();
        redisLog.warn("API key cache: unreadable entry (" + e.getMessage() + "); reloading it from PostgreSQL");
      }
    }
    metrics.miss.inc();
    String versionSeen = entry.version();
    List<StoredApiKey> keys = loads.load(userId, () -> loadAndFill(userId, versionSeen));
    near.put(userId, keys, epoch);
    return new Lookup(keys, false);
  }

  /** Straight from PostgreSQL, still one query at a time per user; nothing is cached. */
  public List<StoredApiKey> loadFromDatabase(String userId) {
    near.invalidate(userId);
    return loads.load(userId, () -> query(userId));
  }

  private List<StoredApiKey> loadAndFill(String userId, String versionSeen) {
    List<StoredApiKey> keys = query(userId);
    try {
      redis.fill(userId, versionSeen, CachedApiKeysCodec.encode(keys), ttlFor(keys.isEmpty()));
    } catch (CacheUnavailableException e) {
      metrics.fillErrors.inc();
      redisLog.warn("API key cache: " + e.getMessage() + "; the next call reads PostgreSQL again");
    }
    return keys;
  }

  private List<StoredApiKey> query(String userId) {
    metrics.databaseLoads.inc();
    return repository.findByUser(userId);
  }

  /**
   * Called after a write to the user's keys has committed. Never throws: the write stands, and a
   * failed invalidation is retried by {@link #retryPendingInvalidations()}.
   */
  public void invalidate(String userId) {
    near.invalidate(userId); // this server at once; the others when the published message arrives
    try {
      redis.invalidate(userId);
      pendingInvalidations.remove(userId);
      near.invalidate(userId); // a read that raced with the Redis delete may have cached the old keys here
    } catch (CacheUnavailableException e) {
      pendingInvalidations.add(userId);
      metrics.invalidateErrors.inc();
      redisLog.warn("API key cache: invalidation failed (" + e.getMessage() + "); retrying every second, "
          + "other servers may serve the old keys until then or until the entry expires");
    }
  }

  /** Retries the invalidations Redis did not take; run every second. */
  public void retryPendingInvalidations() {
    for (String userId : pendingInvalidations) {
      try {
        redis.invalidate(userId);
        pendingInvalidations.remove(userId);
      } catch (CacheUnavailableException e) {
        metrics.invalidateErrors.inc();
        return; // still down: try the rest next time
      }
    }
  }

  /** The TTL of an entry: shorter for a user without keys, plus random jitter. */
  Duration ttlFor(boolean empty) {
    long base = Math.max(1, empty ? ttl.toMillis() / NEGATIVE_TTL_DIVISOR : ttl.toMillis());
    long jitter = ThreadLocalRandom.current().nextLong(base / JITTER_DIVISOR + 1);
    return Duration.ofMillis(base + jitter);
  }
}
