package io.tickvault.server.app;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisClients;
import io.tickvault.server.redis.RedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's Redis connections, all from one client, each owned by {@link Resources}. A
 * connection may not exist yet: the server starts while Redis is down and connects in the
 * background ({@link LazyRedisConnection}, started by its user); the warnings of all of them share
 * one rate limit, so an outage logs a line now and then, not a flood. The one place that knows how
 * to reach Redis: a standalone server or a Redis Cluster ({@code TICKVAULT_REDIS_CLUSTER}); the
 * users see the same {@link RedisConnection} either way.
 */
final class RedisConnections {
  private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);

  private final RedisClients client;
  private final Duration timeout;
  private final Resources resources;
  private final RateLimitedLog connectLog =
      new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());

  private RedisConnections(RedisClients client, Duration timeout, Resources resources) {
    this.client = client;
    this.timeout = timeout;
    this.resources = resources;
  }

  /** Creates the client; nothing connects until a connection is started. */
  static RedisConnections open(String redisUrl, boolean cluster, Duration timeout, Resources resources) {
    return new RedisConnections(resources.own(RedisClients.create(redisUrl, cluster, timeout)), timeout, resources);
  }

  /** The client library's events, for metrics. */
  io.lettuce.core.event.EventBus events() {
    return client.events();
  }

  /** A connection for commands: string keys, byte values, every command bounded by the timeout. */
  LazyRedisConnection<RedisConnection<String, byte[]>> commands() {
    return resources.own(new LazyRedisConnection<>(
        () -> client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), timeout),
        e -> connectLog.warn("cannot connect to Redis (" + e.getMessage()
            + "): serving from PostgreSQL, retrying every second")));
  }

  /**
   * A pub/sub connection; {@code subscribe} subscribes each new connection. The warning while it
   * cannot connect names what it is for ({@code purpose}) and what is off meanwhile.
   */
  LazyRedisConnection<StatefulRedisPubSubConnection<String, String>> pubSub(
      UnaryOperator<StatefulRedisPubSubConnection<String, String>> subscribe, String purpose, String offMeanwhile) {
    return resources.own(new LazyRedisConnection<>(
        () -> subscribe.apply(client.connectPubSub(StringCodec.UTF8)),
        e -> connectLog.warn("cannot " + purpose + " (" + e.getMessage() + "): " + offMeanwhile
            + ", retrying every second")));
  }
}
