package io.tickvault.server.apikeys;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScriptOutputType;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import io.tickvault.server.redis.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The only place that knows the API key cache's Redis keys and scripts.
 *
 * <p>{@code api_keys:<user_id>} holds the user's keys (see {@link CachedApiKeysCodec});
 * {@code api_keys_version:<user_id>} counts the writes to the user's keys. A reader that missed
 * fills the cache only if the version is still the one it saw before reading PostgreSQL, so a
 * slow reader never puts back an entry that a write has just invalidated (the classic
 * read-through race that would otherwise keep a revoked key alive for a whole TTL).
 *
 * <p>On a Redis Cluster the user id is a hash tag ({@code api_keys:{alice}},
 * {@code api_keys_version:{alice}}, see {@link RedisKeys}): both keys live in one slot, so the MGET
 * and the scripts below run on the one node that owns it. The invalidation message is an ordinary
 * PUBLISH, which a cluster delivers to the subscribers of every node.
 *
 * <p>After a command times out, Redis is skipped for {@link #TIMEOUT_COOL_DOWN}: a hanging Redis
 * then costs one timeout per cool-down, not one per call.
 */
final class ApiKeyRedis {
  static final String VALUE_PREFIX = "api_keys:";
  static final String VERSION_PREFIX = "api_keys_version:";
  /** Invalidations are also published here, for the near caches of every replica. */
  static final String INVALIDATION_CHANNEL = "api_keys:invalidations";
  static final Duration TIMEOUT_COOL_DOWN = Duration.ofSeconds(1);
  /** Far longer than any read of PostgreSQL, so a version never expires under a reader's feet. */
  static final Duration VERSION_TTL = Duration.ofDays(1);

  private static final String FILL = """
      local v = redis.call('GET', KEYS[2]) or ''
      if v == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
      end
      return 0
      """;
  private static final String INVALIDATE = """
      redis.call('INCR', KEYS[2])
      redis.call('PEXPIRE', KEYS[2], ARGV[1])
      redis.call('DEL', KEYS[1])
      redis.call('PUBLISH', ARGV[2], ARGV[3])
      return 1
      """;

  /** What a lookup found: the cached value or null, and the user's write version ("" for none). */
  record Entry(byte[] value, String version) {}

  private final LazyRedisConnection<RedisConnection<String, byte[]>> connection;
  private final Clock clock;
  private volatile long skipUntilMillis;

  ApiKeyRedis(LazyRedisConnection<RedisConnection<String, byte[]>> connection, Clock clock) {
    this.connection = connection;
    this.clock = clock;
  }

  Entry lookup(String userId) throws CacheUnavailableException {
    RedisConnection<String, byte[]> c = connection();
    try {
      List<KeyValue<String, byte[]>> values = c.sync().mget(valueKey(c, userId), versionKey(c, userId));
      byte[] value = values.get(0).getValueOrElse(null);
      byte[] version = values.get(1).getValueOrElse(null);
      return new Entry(value, version == null ? "" : new String(version, StandardCharsets.US_ASCII));
    } catch (RuntimeException e) {
      throw failed("lookup", e);
    }
  }

  /** Caches the value unless the user's keys were written since {@code versionSeen}; true when cached. */
  boolean fill(String userId, String versionSeen, byte[] value, Duration ttl) throws CacheUnavailableException {
    RedisConnection<String, byte[]> c = connection();
    try {
      Long stored = c.sync().eval(FILL, ScriptOutputType.INTEGER, new String[] {valueKey(c, userId), versionKey(c, userId)},
          ascii(versionSeen), value, ascii(Long.toString(ttl.toMillis())));
      return stored != null && stored == 1L;
    } catch (RuntimeException e) {
      throw failed("fill", e);
    }
  }

  /** Drops the user's entry, bumps its version and tells the near caches of every replica. */
  void invalidate(String userId) throws CacheUnavailableException {
    RedisConnection<String, byte[]> c = connection();
    try {
      c.sync().eval(INVALIDATE, ScriptOutputType.INTEGER, new String[] {valueKey(c, userId), versionKey(c, userId)},
          ascii(Long.toString(VERSION_TTL.toMillis())), ascii(INVALIDATION_CHANNEL),
          userId.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw failed("invalidate", e);
    }
  }

  private static String valueKey(RedisConnection<String, byte[]> c, String userId) {
    return c.keys().key(VALUE_PREFIX, userId);
  }

  private static String versionKey(RedisConnection<String, byte[]> c, String userId) {
    return c.keys().key(VERSION_PREFIX, userId);
  }

  private RedisConnection<String, byte[]> connection() throws CacheUnavailableException {
    if (clock.millis() < skipUntilMillis) {
      throw new CacheUnavailableException("Redis timed out less than " + TIMEOUT_COOL_DOWN.toMillis() + " ms ago: skipped", null);
    }
    RedisConnection<String, byte[]> c = connection.get();
    if (c == null) {
      throw new CacheUnavailableException("not connected to Redis yet", null);
    }
    return c;
  }

  private CacheUnavailableException failed(String operation, RuntimeException e) {
    if (e instanceof RedisCommandTimeoutException) {
      skipUntilMillis = clock.millis() + TIMEOUT_COOL_DOWN.toMillis();
    }
    return new CacheUnavailableException("Redis " + operation + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
