package io.tickvault.server.app;

import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.server.config.DatabaseSettings;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.DatabaseHealthMonitor;
import io.tickvault.server.db.FailFastDataSource;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.db.ReadDataSource;
import io.tickvault.server.db.ReplicaLagMonitor;
import io.tickvault.server.embedded.EmbeddedServices;
import io.tickvault.server.logging.UncaughtErrors;
import io.tickvault.server.metrics.ConnectionPoolMetrics;
import io.tickvault.server.metrics.Metrics;
import io.tickvault.server.metrics.RedisMetrics;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;

/**
 * The first step of start-up: what every later step runs on. The embedded PostgreSQL and Redis
 * when none is configured, the connection pool with the schema migrated and the monitor of
 * PostgreSQL's health that makes calls on it fail fast while it is down ({@link FailFastDataSource}),
 * the metrics registry, one scheduler for background retries, and the Redis connections.
 *
 * <p>{@link #readJdbc()} is where history reads go: with {@code TICKVAULT_DATABASE_READ_URL}, a pool
 * of its own on the streaming replica, chosen per read while it keeps up ({@link ReadDataSource});
 * without, the primary. Standalone Redis or Redis Cluster is {@link RedisConnections}' business,
 * not its users'.
 */
record Infrastructure(
    HikariDataSource dataSource,
    DatabaseHealthMonitor databaseHealth,
    Jdbc jdbc,
    Jdbc readJdbc,
    String databaseUrl,
    String redisUrl,
    RedisConnections redis,
    Metrics metrics,
    RedisMetrics redisMetrics,
    ScheduledExecutorService scheduler,
    UncaughtErrors uncaughtErrors) {

  static Infrastructure start(ServerConfig config, Resources resources) {
    EmbeddedServices embedded = resources.own(new EmbeddedServices(config.dataDir()));
    DatabaseSettings database = config.database();
    String databaseUrl = database.url().orElseGet(embedded::startPostgres);
    String redisUrl = config.redis().url().orElseGet(embedded::startRedis);

    HikariDataSource dataSource = resources.own(openPool(database, databaseUrl, database.poolSize()));
    Database.migrate(dataSource);
    DatabaseHealthMonitor databaseHealth = resources.own(new DatabaseHealthMonitor(
        Database.openProbe(databaseUrl, user(database), database.password().orElse(null)), dataSource, System::nanoTime));
    FailFastDataSource primary = new FailFastDataSource(dataSource, databaseHealth);
    databaseHealth.addListener(primary);
    databaseHealth.start(DatabaseHealthMonitor.DEFAULT_INTERVAL);

    Metrics metrics = resources.own(new Metrics());
    ConnectionPoolMetrics.register(metrics.registry(), dataSource);
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tickvault-scheduler-"));
    resources.own(scheduler::shutdownNow);
    UncaughtErrors uncaughtErrors = new UncaughtErrors(metrics.registry(), scheduler, System::nanoTime);

    Jdbc jdbc = new Jdbc(primary);
    Jdbc readJdbc = database.readUrl()
        .map(url -> new Jdbc(readDataSource(database, url, dataSource, primary, metrics, resources)))
        .orElse(jdbc);

    RedisConnections redis = RedisConnections.open(redisUrl, config.redis().cluster(), config.redis().timeout(), resources);
    RedisMetrics redisMetrics = resources.own(RedisMetrics.register(metrics.registry(), redis.events()));
    return new Infrastructure(dataSource, databaseHealth, jdbc, readJdbc, databaseUrl, redisUrl, redis, metrics,
        redisMetrics, scheduler, uncaughtErrors);
  }

  /** The replica's pool, the monitor of its lag, and the data source that picks replica or primary per read. */
  private static ReadDataSource readDataSource(DatabaseSettings database, String replicaUrl, HikariDataSource primaryPool,
      DataSource primary, Metrics metrics, Resources resources) {
    HikariDataSource replica = resources.own(Database.openReplicaPool(replicaUrl,
        database.user().orElse(null), database.password().orElse(null), database.poolSize()));
    ReplicaLagMonitor monitor = resources.own(new ReplicaLagMonitor(primaryPool, replica, database.readMaxLag(),
        metrics.registry(), Clock.systemUTC(), System::nanoTime));
    monitor.start(ReplicaLagMonitor.DEFAULT_INTERVAL);
    return new ReadDataSource(primary, replica, monitor, metrics.registry(), Clock.systemUTC());
  }

  /** A pool on the configured (or embedded) database, with the configured credentials. */
  static HikariDataSource openPool(DatabaseSettings database, String databaseUrl, int poolSize) {
    // First one connection that gives up in seconds: the pool's first would wait on a silent port
    // for its socket timeout, a minute, which is there for long queries.
    Database.connectOnce(databaseUrl, user(database), database.password().orElse(null));
    return Database.openPool(databaseUrl, user(database), database.password().orElse(null), poolSize);
  }

  static String user(DatabaseSettings database) {
    return database.user().orElse(database.isEmbedded() ? "postgres" : null);
  }
}
