package io.tickvault.server.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Redis client for a cache that must never stall a call: every command is bounded by the
 * configured timeout, commands issued while disconnected fail at once instead of queueing, and
 * the client reconnects by itself, at least once a second, when Redis comes back.
 *
 * <p>Standalone (one {@code redis://} URL) or Redis Cluster (one or more comma-separated seed
 * nodes). In a cluster the client follows the topology by itself: every {@link #REFRESH_PERIOD},
 * and at once (at most every {@link #ADAPTIVE_REFRESH_LIMIT}) when a node keeps refusing
 * reconnects, answers MOVED/ASK or a slot has no owner, so a failover or a resharding is followed
 * without a restart.
 */
public final class RedisClients implements AutoCloseable {
  /** Connecting may take longer than a command on a cold machine; it happens off the call path. */
  static final Duration MIN_CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** Lettuce's default backs off to 30 s; the cache should be back within a second of Redis. */
  static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);
  /** Catches the changes no command of ours ran into; one CLUSTER NODES per node each time. */
  static final Duration REFRESH_PERIOD = Duration.ofSeconds(10);
  /** Lettuce's default (30 s) would leave a failed-over slot unreachable for that long. */
  static final Duration ADAPTIVE_REFRESH_LIMIT = Duration.ofSeconds(1);
  /** Reconnect attempts to one node before the topology is read again (Lettuce's default is 5). */
  static final int RECONNECTS_BEFORE_REFRESH = 3;

  private final ClientResources resources;
  private final RedisClient standalone;
  private final RedisClusterClient cluster;

  private RedisClients(ClientResources resources, RedisClient standalone, RedisClusterClient cluster) {
    this.resources = resources;
    this.standalone = standalone;
    this.cluster = cluster;
  }

  /**
   * A client for {@code urls}: one URL for a standalone Redis, or with {@code cluster} the
   * comma-separated seed nodes of a Redis Cluster (any one that answers is enough to start).
   */
  public static RedisClients create(String urls, boolean cluster, Duration commandTimeout) {
    Duration connectTimeout = commandTimeout.compareTo(MIN_CONNECT_TIMEOUT) > 0 ? commandTimeout : MIN_CONNECT_TIMEOUT;
    ClientResources resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
        .build();
    SocketOptions socket = SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.builder().fixedTimeout(commandTimeout).build();
    List<RedisURI> uris = Arrays.stream(urls.split(",")).map(String::trim).filter(u -> !u.isEmpty()).map(u -> {
      RedisURI uri = RedisURI.create(u);
      // The URI timeout bounds the connection handshake; commands have their own (TimeoutOptions).
      uri.setTimeout(connectTimeout);
      return uri;
    }).toList();
    if (!cluster) {
      if (uris.size() != 1) {
        throw new IllegalArgumentException("a standalone Redis takes one URL, got " + uris.size());
      }
      RedisClient client = RedisClient.create(resources, uris.get(0));
      client.setOptions(ClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .timeoutOptions(timeouts)
          .socketOptions(socket)
          .build());
      return new RedisClients(resources, client, null);
    }
    RedisClusterClient client = RedisClusterClient.create(resources, uris);
    client.setOptions(ClusterClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(timeouts)
        .socketOptions(socket)
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(REFRESH_PERIOD)
            .enableAllAdaptiveRefreshTriggers()
            .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_LIMIT)
            .refreshTriggersReconnectAttempts(RECONNECTS_BEFORE_REFRESH)
            .closeStaleConnections(true)
            .build())
        // A node the cluster itself marks failed is not worth a connection attempt per call.
        .nodeFilter(node -> !(node.is(RedisClusterNode.NodeFlag.FAIL)
            || node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
            || node.is(RedisClusterNode.NodeFlag.NOADDR)))
        .build());
    return new RedisClients(resources, null, client);
  }

  /** The client library's events (connections up and down, reconnect attempts), for metrics. */
  public io.lettuce.core.event.EventBus events() {
    return resources.eventBus();
  }

  public boolean cluster() {
    return cluster != null;
  }

  /** A new connection for commands; throws when no node answers. */
  public <K, V> RedisConnection<K, V> connect(RedisCodec<K, V> codec, Duration commandTimeout) {
    if (cluster != null) {
      StatefulRedisClusterConnection<K, V> c = cluster.connect(codec);
      c.setTimeout(commandTimeout);
      connectToEveryNode(c);
      return RedisConnection.cluster(c);
    }
    var c = standalone.connect(codec);
    c.setTimeout(commandTimeout);
    return RedisConnection.standalone(c);
  }

  /**
   * Lettuce opens the connection to a node when the first command for it comes, and rejects that
   * command while it connects: open them all now, replicas included (they may be promoted later),
   * so the first calls do not pay for it. A node that does not answer is left to the first call.
   */
  private static void connectToEveryNode(StatefulRedisClusterConnection<?, ?> c) {
    for (RedisClusterNode node : c.getPartitions()) {
      try {
        // By host and port: that is how Lettuce keys the connections that serve a slot.
        c.getConnection(node.getUri().getHost(), node.getUri().getPort());
      } catch (RuntimeException e) {
        // down or failing over: its commands fail until it is back, and the cache answers from PostgreSQL
      }
    }
  }

  /**
   * A new publish/subscribe connection. In a cluster it talks to one node, which sees every
   * PUBLISH of the cluster; when that node goes away Lettuce reconnects to another one of the
   * topology and subscribes again.
   */
  public <K, V> StatefulRedisPubSubConnection<K, V> connectPubSub(RedisCodec<K, V> codec) {
    return cluster != null ? cluster.connectPubSub(codec) : standalone.connectPubSub(codec);
  }

  @Override
  public void close() {
    AbstractRedisClient client = cluster != null ? cluster : standalone;
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
