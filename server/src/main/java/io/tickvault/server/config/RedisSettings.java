package io.tickvault.server.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The Redis that caches API keys and market state.
 *
 * @param url empty: the server starts an embedded Redis; with {@code cluster}, the cluster's seed
 *     nodes, comma-separated
 * @param timeout a command's timeout; past it the cache counts as a miss
 */
public record RedisSettings(Optional<String> url, boolean cluster, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);

  private static final Bounds TIMEOUT = Bounds.positive("TICKVAULT_REDIS_TIMEOUT_MS", ChronoUnit.MILLIS, 60_000);

  public RedisSettings {
    TIMEOUT.check(timeout);
    if (cluster && url.isEmpty()) {
      throw new ConfigException("TICKVAULT_REDIS_CLUSTER=true: needs TICKVAULT_REDIS_URL (the cluster's seed nodes)");
    }
    if (!cluster && url.isPresent() && url.get().contains(",")) {
      throw new ConfigException("TICKVAULT_REDIS_URL: several URLs are the seed nodes of a cluster: set TICKVAULT_REDIS_CLUSTER=true");
    }
  }

  public boolean isEmbedded() {
    return url.isEmpty();
  }

  static RedisSettings fromEnvironment(EnvReader env) {
    Optional<String> url = env.string("TICKVAULT_REDIS_URL");
    url.ifPresent(urls -> {
      for (String node : urls.split(",")) {
        String u = node.trim();
        if (!u.startsWith("redis://") && !u.startsWith("rediss://")) {
          throw new ConfigException("TICKVAULT_REDIS_URL: expected redis://host:port or rediss://host:port "
              + "(comma-separated seed nodes for a cluster), got " + EnvReader.redacted(u));
        }
      }
    });
    return new RedisSettings(url, env.bool("TICKVAULT_REDIS_CLUSTER", false), env.duration(TIMEOUT, DEFAULT_TIMEOUT));
  }

  /** Without a password a URL may carry. */
  @Override
  public String toString() {
    return "RedisSettings[url=" + url.map(EnvReader::redacted) + ", cluster=" + cluster + ", timeout=" + timeout + "]";
  }
}
