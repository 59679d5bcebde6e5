package io.tickvault.server.apikeys;

import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.tickvault.server.redis.ChannelListener;
import io.tickvault.server.redis.LazyRedisConnection;

/**
 * Listens on {@link ApiKeyRedis#INVALIDATION_CHANNEL} and evicts the near cache entry of each user
 * whose keys another server (or this one) changed. The near cache is live only between a
 * confirmed subscription and the moment the connection is seen down; each (re)subscription starts
 * from an empty near cache, since messages sent meanwhile were lost.
 */
public final class InvalidationSubscriber extends ChannelListener {
  private volatile LazyRedisConnection<StatefulRedisPubSubConnection<String, String>> connection;
  private volatile NearCache nearCache;
  private volatile Runnable onMessage = () -> {};
  private volatile boolean subscribed;

  public InvalidationSubscriber() {
    super(ApiKeyRedis.INVALIDATION_CHANNEL);
  }

  void attach(NearCache cache, Runnable onMessage) {
    this.nearCache = cache;
    this.onMessage = onMessage;
  }

  /** The connection whose state tells whether messages are arriving. */
  public void listenOn(LazyRedisConnection<StatefulRedisPubSubConnection<String, String>> connection) {
    this.connection = connection;
  }

  /** True while invalidations are known to arrive. */
  boolean live() {
    LazyRedisConnection<StatefulRedisPubSubConnection<String, String>> lazy = connection;
    StatefulRedisPubSubConnection<String, String> c = lazy == null ? null : lazy.get();
    if (c == null || !c.isOpen()) {
      subscribed = false;
      return false;
    }
    return subscribed;
  }

  @Override
  public void subscribed(String channel, long count) {
    NearCache cache = nearCache;
    if (cache != null) {
      cache.clear();
    }
    subscribed = true;
  }

  @Override
  public void unsubscribed(String channel, long count) {
    subscribed = false;
  }

  @Override
  public void message(String channel, String userId) {
    NearCache cache = nearCache;
    if (cache != null) {
      cache.invalidate(userId);
    }
    onMessage.run();
  }
}
