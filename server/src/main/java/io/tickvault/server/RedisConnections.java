package io.tickvault.server;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisClients;
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
 * to reach Redis: a Redis Cluster option would go here.
 */
final class RedisConnections {
  private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);

  private final RedisClient client;
  private final Duration timeout;
  private final Resources resources;
  private final RateLimitedLog connectLog =
      new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());

  private RedisConnections(RedisClient client, Duration timeout, Resources resources) {
    this.client = client;
    this.timeout = timeout;
    this.resources = resources;
  }

  /** Creates the client; nothing connects until a connection is started. */
  static RedisConnections open(String redisUrl, Duration timeout, Resources resources) {
    return new RedisConnections(resources.own(RedisClients.create(redisUrl, timeout)).client(), timeout, resources);
  }

  /** A connection for commands: string keys, byte values, every command bounded by the timeout. */
  LazyRedisConnection<StatefulRedisConnection<String, byte[]>> commands() {
    return resources.own(new LazyRedisConnection<>(
        () -> {
          StatefulRedisConnection<String, byte[]> c = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
          c.setTimeout(timeout);
          return c;
        },
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
        () -> subscribe.apply(client.connectPubSub()),
        e -> connectLog.warn("cannot " + purpose + " (" + e.getMessage() + "): " + offMeanwhile
            + ", retrying every second")));
  }
}
