package io.tickvault.server.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;

/**
 * The listener of one Redis pub/sub channel, which subscribes each connection made for it (its
 * {@link #subscribe} is the connection's set-up step), and publishes on that channel. Messages are
 * fire and forget: the servers that use one also have a slower path (a poll, a periodic check)
 * that finds what a lost message would have told them.
 */
public abstract class ChannelListener extends RedisPubSubAdapter<String, String> {
  private final String channel;

  protected ChannelListener(String channel) {
    this.channel = channel;
  }

  /** Subscribes a freshly made connection; used as the connection's set-up step. */
  public final StatefulRedisPubSubConnection<String, String> subscribe(StatefulRedisPubSubConnection<String, String> c) {
    c.addListener(this);
    try {
      c.sync().subscribe(channel);
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Publishes on the channel without waiting, when Redis is connected; else the message is lost. */
  protected final void publish(LazyRedisConnection<RedisConnection<String, byte[]>> redis, String message) {
    RedisConnection<String, byte[]> c = redis.get();
    if (c != null && c.isOpen()) {
      c.async().publish(channel, message.getBytes(StandardCharsets.UTF_8));
    }
  }
}
