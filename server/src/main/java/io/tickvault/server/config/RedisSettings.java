package io.tickvault.server.config;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.URISyntaxException;
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
        checkNode(node.trim());
      }
    });
    return new RedisSettings(url, env.bool("TICKVAULT_REDIS_CLUSTER", false), env.duration(TIMEOUT, DEFAULT_TIMEOUT));
  }

  /**
   * One node's URL, read here as the client library will read it at start-up, so that a bad one is
   * refused by name and without its password (the library's errors quote the URL whole).
   */
  private static void checkNode(String url) {
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      throw new ConfigException("TICKVAULT_REDIS_URL: expected redis://host:port or rediss://host:port "
          + "(comma-separated seed nodes for a cluster), got " + Redaction.urls(url));
    }
    String problem;
    try {
      // Without a host, java.net.URI reads "host:port" with a port that is not a number as one name,
      // and Lettuce would retry that name for ever.
      problem = new URI(url).getHost() == null ? "no host, or a port that is not a number" : null;
      RedisURI.create(url);
    } catch (URISyntaxException e) {
      problem = e.getReason();
    } catch (NumberFormatException e) {
      problem = "the database after the last / is not a number";
    } catch (IllegalArgumentException e) {
      problem = Redaction.urls(String.valueOf(e.getMessage()));
    }
    if (problem != null) {
      throw new ConfigException("TICKVAULT_REDIS_URL: not a Redis URL the client can use (" + problem + "): "
          + Redaction.urls(url));
    }
  }

  /** Without a password a URL may carry. */
  @Override
  public String toString() {
    return "RedisSettings[url=" + url.map(Redaction::urls) + ", cluster=" + cluster + ", timeout=" + timeout + "]";
  }
}
