package io.tickvault.server;

import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.embedded.EmbeddedServices;
import io.tickvault.server.metrics.ConnectionPoolMetrics;
import io.tickvault.server.metrics.Metrics;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The first step of start-up: what every later step runs on. The embedded PostgreSQL and Redis
 * when none is configured, the connection pool with the schema migrated, the metrics registry,
 * one scheduler for background retries, and the Redis connections.
 *
 * <p>Seams: a read-replica pool would be opened here beside {@link #dataSource()}; standalone
 * Redis or Redis Cluster is {@link RedisConnections}' business, not its users'.
 */
record Infrastructure(
    HikariDataSource dataSource,
    Jdbc jdbc,
    String redisUrl,
    RedisConnections redis,
    Metrics metrics,
    ScheduledExecutorService scheduler) {

  static Infrastructure start(ServerConfig config, Resources resources) {
    EmbeddedServices embedded = resources.own(new EmbeddedServices());
    String databaseUrl = config.databaseUrl().orElseGet(() -> embedded.startPostgres(config.dataDir()));
    String redisUrl = config.redisUrl().orElseGet(embedded::startRedis);

    HikariDataSource dataSource = resources.own(openPool(config, databaseUrl, config.databasePoolSize()));
    Database.migrate(dataSource);

    Metrics metrics = resources.own(new Metrics());
    ConnectionPoolMetrics.register(metrics.registry(), dataSource);
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tickvault-scheduler-"));
    resources.own(scheduler::shutdownNow);

    RedisConnections redis = RedisConnections.open(redisUrl, config.redisCluster(), config.redisTimeout(), resources);
    return new Infrastructure(dataSource, new Jdbc(dataSource), redisUrl, redis, metrics, scheduler);
  }

  /** A pool on the configured (or embedded) database, with the configured credentials. */
  static HikariDataSource openPool(ServerConfig config, String databaseUrl, int poolSize) {
    return Database.openPool(databaseUrl,
        config.databaseUser().orElse(config.isEmbeddedDatabase() ? "postgres" : null),
        config.databasePassword().orElse(null),
        poolSize);
  }
}
