package io.tickvault.server.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Redis client for a cache that must never stall a call: every command is bounded by the
 * configured timeout, commands issued while disconnected fail at once instead of queueing, and
 * the client reconnects by itself, at least once a second, when Redis comes back.
 */
public final class RedisClients implements AutoCloseable {
  /** Connecting may take longer than a command on a cold machine; it happens off the call path. */
  static final Duration MIN_CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** Lettuce's default backs off to 30 s; the cache should be back within a second of Redis. */
  static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

  private final ClientResources resources;
  private final RedisClient client;

  private RedisClients(ClientResources resources, RedisClient client) {
    this.resources = resources;
    this.client = client;
  }

  public static RedisClients create(String url, Duration commandTimeout) {
    RedisURI uri = RedisURI.create(url);
    Duration connectTimeout = commandTimeout.compareTo(MIN_CONNECT_TIMEOUT) > 0 ? commandTimeout : MIN_CONNECT_TIMEOUT;
    // The URI timeout bounds the connection handshake; commands have their own (TimeoutOptions).
    uri.setTimeout(connectTimeout);
    ClientResources resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
        .build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.builder().fixedTimeout(commandTimeout).build())
        .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
        .build());
    return new RedisClients(resources, client);
  }

  public RedisClient client() {
    return client;
  }

  @Override
  public void close() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
