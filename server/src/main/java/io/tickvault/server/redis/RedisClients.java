package io.tickvault.server.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import java.time.Duration;

/**
 * The Redis client for a cache that must never stall a call: every command is bounded by the
 * configured timeout, commands issued while disconnected fail at once instead of queueing, and
 * the client reconnects by itself when Redis comes back.
 */
public final class RedisClients {
  /** Connecting may take longer than a command on a cold machine; it happens off the call path. */
  static final Duration MIN_CONNECT_TIMEOUT = Duration.ofSeconds(1);

  private RedisClients() {}

  public static RedisClient create(String url, Duration commandTimeout) {
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(commandTimeout);
    RedisClient client = RedisClient.create(uri);
    Duration connectTimeout = commandTimeout.compareTo(MIN_CONNECT_TIMEOUT) > 0 ? commandTimeout : MIN_CONNECT_TIMEOUT;
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.builder().fixedTimeout(commandTimeout).build())
        .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
        .build());
    return client;
  }
}
