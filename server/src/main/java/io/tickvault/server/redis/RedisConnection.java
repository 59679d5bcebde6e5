package io.tickvault.server.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * A connection to a standalone Redis or to a Redis Cluster, seen through the command interfaces
 * both speak ({@link RedisClusterCommands} is what Lettuce's standalone {@code RedisCommands}
 * extends too), with the key layout that goes with it. Code that uses the cache writes its
 * commands once and names its keys with {@link #keys()}.
 */
public final class RedisConnection<K, V> implements AutoCloseable {
  private final StatefulConnection<K, V> connection;
  private final RedisClusterCommands<K, V> sync;
  private final RedisClusterAsyncCommands<K, V> async;
  private final RedisKeys keys;

  private RedisConnection(StatefulConnection<K, V> connection, RedisClusterCommands<K, V> sync,
      RedisClusterAsyncCommands<K, V> async, RedisKeys keys) {
    this.connection = connection;
    this.sync = sync;
    this.async = async;
    this.keys = keys;
  }

  public static <K, V> RedisConnection<K, V> standalone(StatefulRedisConnection<K, V> c) {
    return new RedisConnection<>(c, c.sync(), c.async(), RedisKeys.STANDALONE);
  }

  public static <K, V> RedisConnection<K, V> cluster(StatefulRedisClusterConnection<K, V> c) {
    return new RedisConnection<>(c, c.sync(), c.async(), RedisKeys.CLUSTER);
  }

  /** Blocking commands, each bounded by the client's command timeout. */
  public RedisClusterCommands<K, V> sync() {
    return sync;
  }

  public RedisClusterAsyncCommands<K, V> async() {
    return async;
  }

  public RedisKeys keys() {
    return keys;
  }

  public boolean isOpen() {
    return connection.isOpen();
  }

  @Override
  public void close() {
    connection.close();
  }
}
