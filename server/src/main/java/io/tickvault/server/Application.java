package io.tickvault.server;

import com.zaxxer.hikari.HikariDataSource;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.server.apikeys.ApiKeyAdminGrpcService;
import io.tickvault.server.apikeys.ApiKeyCache;
import io.tickvault.server.apikeys.ApiKeyGrpcService;
import io.tickvault.server.apikeys.ApiKeyReencryption;
import io.tickvault.server.apikeys.ApiKeyRepository;
import io.tickvault.server.apikeys.InvalidationSubscriber;
import io.tickvault.server.apikeys.ApiKeySecrets;
import io.tickvault.server.auth.AuthInterceptor;
import io.tickvault.server.auth.BearerTokens;
import io.tickvault.server.auth.TlsContexts;
import io.tickvault.server.config.ConfigException;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.crypto.MasterKeys;
import io.tickvault.server.crypto.SecretCipher;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.DatabaseHealthMonitor;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.embedded.EmbeddedServices;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.ingest.IngestGrpcService;
import io.tickvault.server.ingest.IngestLimits;
import io.tickvault.server.metrics.IngestMetrics;
import io.tickvault.server.ingest.StreamIngestor;
import io.tickvault.server.ingest.KnownMarkets;
import io.tickvault.server.ingest.OrderBookSink;
import io.tickvault.server.market.MarketGrpcService;
import io.tickvault.server.market.MarketRepository;
import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.metrics.ConnectionPoolMetrics;
import io.tickvault.server.metrics.GrpcMetricsInterceptor;
import io.tickvault.server.metrics.Metrics;
import io.tickvault.server.query.MarketStateSink;
import io.tickvault.server.query.ReadSide;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisClients;
import io.tickvault.server.trade.TradeRepository;
import io.tickvault.server.trade.TradeSink;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, wired by hand in this one place: embedded dependencies when none are
 * configured, the connection pool and migrations, Redis, the gRPC services, health, reflection
 * and metrics. {@link #close()} takes it all down in reverse order.
 */
public final class Application implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Application.class);

  /** The tickvault services, as named in their health status. */
  public static final List<String> SERVICE_NAMES = List.of(
      ApiKeyServiceGrpc.SERVICE_NAME,
      ApiKeyAdminServiceGrpc.SERVICE_NAME,
      MarketServiceGrpc.SERVICE_NAME,
      IngestServiceGrpc.SERVICE_NAME,
      QueryServiceGrpc.SERVICE_NAME);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private TickvaultServer server;
  private int metricsPort;
  private HikariDataSource dataSource;
  private String redisUrl;
  private DatabaseHealthMonitor healthMonitor;
  private Metrics metrics;

  private Application() {}

  /** Starts the server on a Netty port as the configuration says. */
  public static Application start(ServerConfig config) {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.grpcPort()));
    config.tlsCert().ifPresent(cert ->
        builder.sslContext(TlsContexts.forServer(cert, config.tlsKey().orElseThrow(), config.tlsClientCa())));
    return start(config, builder);
  }

  /** Starts the server on the given transport; tests hand in an in-process builder. */
  public static Application start(ServerConfig config, ServerBuilder<?> builder) {
    Application app = new Application();
    try {
      app.startAll(config, builder);
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private void startAll(ServerConfig config, ServerBuilder<?> builder) {
    // First, so that a missing master key stops the server before anything starts or any
    // database is migrated.
    byte[] masterKey = masterKey(config);
    EmbeddedServices embedded = own(new EmbeddedServices());
    String databaseUrl = config.databaseUrl().orElseGet(() -> embedded.startPostgres(config.dataDir()));
    redisUrl = config.redisUrl().orElseGet(embedded::startRedis);

    dataSource = own(Database.openPool(databaseUrl,
        config.databaseUser().orElse(config.isEmbeddedDatabase() ? "postgres" : null),
        config.databasePassword().orElse(null),
        config.databasePoolSize()));
    Database.migrate(dataSource);
    Jdbc jdbc = new Jdbc(dataSource);

    metrics = own(new Metrics());
    ConnectionPoolMetrics.register(metrics.registry(), dataSource);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("tickvault-scheduler-"));
    own(scheduler::shutdownNow);

    RedisClient redis = own(RedisClients.create(redisUrl, config.redisTimeout())).client();
    RateLimitedLog redisConnectLog = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());
    LazyRedisConnection<StatefulRedisConnection<String, byte[]>> redisConnection = own(new LazyRedisConnection<>(
        () -> {
          StatefulRedisConnection<String, byte[]> c = redis.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
          c.setTimeout(config.redisTimeout());
          return c;
        },
        e -> redisConnectLog.warn("cannot connect to Redis (" + e.getMessage() + "): serving from PostgreSQL, retrying every second")));
    redisConnection.start(scheduler);
    InvalidationSubscriber invalidations = new InvalidationSubscriber();
    LazyRedisConnection<StatefulRedisPubSubConnection<String, String>> invalidationConnection = own(new LazyRedisConnection<>(
        () -> invalidations.subscribe(redis.connectPubSub()),
        e -> redisConnectLog.warn("cannot subscribe to API key invalidations (" + e.getMessage() + "): near cache off, retrying every second")));
    invalidations.listenOn(invalidationConnection);

    SecretCipher cipher = new SecretCipher(MasterKeys.of(masterKey, config.oldMasterKeys()));
    ApiKeySecrets secrets = new ApiKeySecrets(cipher);
    ApiKeyRepository apiKeys = new ApiKeyRepository(jdbc);
    MarketRepository markets = new MarketRepository(jdbc);
    ApiKeyCache apiKeyCache = ApiKeyCache.create(apiKeys, redisConnection, invalidations, config.apiKeyTtl(),
        metrics.registry(), Clock.systemUTC());
    invalidationConnection.start(scheduler); // after create(): the subscriber needs its near cache
    scheduler.scheduleWithFixedDelay(apiKeyCache::retryPendingInvalidations, 1, 1, TimeUnit.SECONDS);

    // JDBC blocks: keep it off the Netty event loops, on a bounded pool of its own. The queue
    // bound turns overload into fast RESOURCE_EXHAUSTED-like rejections instead of unbounded memory.
    ThreadPoolExecutor executor = new ThreadPoolExecutor(
        config.databasePoolSize() * 2, config.databasePoolSize() * 2, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(10_000), daemonThreads("tickvault-call-"));
    own(() -> {
      executor.shutdown();
      executor.awaitTermination(5, TimeUnit.SECONDS);
    });

    HealthStatusManager health = new HealthStatusManager();
    KnownMarkets knownMarkets = new KnownMarkets(markets);
    ReadSide reads = ReadSide.create(jdbc, knownMarkets, redisConnection, metrics.registry(), Clock.systemUTC());
    scheduler.scheduleWithFixedDelay(reads.marketState()::repairStale, 1, 1, TimeUnit.SECONDS);
    StreamIngestor<Trade> tradeIngestor = new StreamIngestor<>(
        MarketStateSink.trades(new TradeSink(knownMarkets, new TradeRepository(jdbc), Clock.systemUTC()),
            reads.marketState(), Clock.systemUTC()),
        executor, IngestLimits.DEFAULT, "trades", metrics.ingest(), IngestMetrics.Kind.TRADE);
    StreamIngestor<OrderBookSnapshot> orderBookIngestor = new StreamIngestor<>(
        MarketStateSink.orderBooks(new OrderBookSink(jdbc, knownMarkets, config.maxBookLevels(), Clock.systemUTC()),
            reads.marketState(), Clock.systemUTC()),
        executor, OrderBookSink.LIMITS, "snapshots", metrics.ingest(), IngestMetrics.Kind.ORDERBOOK);
    List<BindableService> services = List.of(
        new MarketGrpcService(markets),
        new ApiKeyGrpcService(apiKeyCache, secrets),
        new ApiKeyAdminGrpcService(apiKeys, markets, secrets, apiKeyCache),
        new IngestGrpcService(tradeIngestor, orderBookIngestor),
        reads.service());

    builder.executor(executor);
    builder.maxInboundMessageSize(IngestLimits.MAX_MESSAGE_BYTES);
    for (BindableService service : services) {
      builder.addService(service);
    }
    builder.addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(legacyReflection());

    healthMonitor = own(new DatabaseHealthMonitor(dataSource, health, SERVICE_NAMES));
    healthMonitor.start(DatabaseHealthMonitor.DEFAULT_INTERVAL);

    // Interceptors run in reverse order of registration: the metrics one is added last so that it
    // sees every call first, including those that other interceptors refuse.
    if (!config.authDisabled()) {
      builder.intercept(new AuthInterceptor(new BearerTokens(config.workerTokens(), config.adminTokens())));
    }
    builder.intercept(new GrpcMetricsInterceptor(metrics.registry()));
    server = new TickvaultServer(builder.build(), config.shutdownGrace());
    server.start();
    own(() -> {
      healthMonitor.close(); // it must not flip the status back after this
      health.enterTerminalState();
      server.stop();
    });
    metricsPort = metrics.startHttp(config.bindAddress(), config.metricsPort());

    log.info("tickvault listening on {}:{} ({}), PostgreSQL {}, Redis {}{}",
        config.bindAddress(), server.port(),
        config.tlsCert().isEmpty() ? "plaintext" : config.tlsClientCa().isPresent() ? "mTLS" : "TLS",
        config.isEmbeddedDatabase() ? "embedded (data in " + config.dataDir().toAbsolutePath() + ")" : "external",
        config.isEmbeddedRedis() ? "embedded" : "external",
        metricsPort > 0 ? ", metrics at http://" + config.bindAddress() + ":" + metricsPort + "/metrics" : "");
    if (config.authDisabled()) {
      log.warn("authentication is OFF: any caller may use every RPC (set TICKVAULT_WORKER_TOKENS and TICKVAULT_ADMIN_TOKENS to turn it on)");
    }
  }

  /**
   * Re-encrypts every stored API key secret under the current master key and returns what it did;
   * for {@code --reencrypt-api-keys}. Opens the configured (or embedded) database on its own.
   */
  public static ApiKeyReencryption.Result reencryptApiKeys(ServerConfig config) {
    byte[] masterKey = masterKey(config);
    try (EmbeddedServices embedded = new EmbeddedServices()) {
      String databaseUrl = config.databaseUrl().orElseGet(() -> embedded.startPostgres(config.dataDir()));
      try (HikariDataSource pool = Database.openPool(databaseUrl,
          config.databaseUser().orElse(config.isEmbeddedDatabase() ? "postgres" : null),
          config.databasePassword().orElse(null), 2)) {
        Database.migrate(pool);
        ApiKeySecrets secrets = new ApiKeySecrets(new SecretCipher(MasterKeys.of(masterKey, config.oldMasterKeys())));
        return new ApiKeyReencryption(new ApiKeyRepository(new Jdbc(pool)), secrets).run();
      }
    }
  }

  /**
   * The master key: configured, or in the embedded default generated once into the data dir. An
   * external database is shared by replicas, which must all use the same configured key.
   */
  static byte[] masterKey(ServerConfig config) {
    return config.masterKey().orElseGet(() -> {
      if (!config.isEmbeddedDatabase()) {
        throw new ConfigException("TICKVAULT_MASTER_KEY: required with an external database (base64 of 32 bytes)");
      }
      return EmbeddedServices.loadOrCreateMasterKey(config.dataDir());
    });
  }

  @SuppressWarnings("deprecation")
  private static ServerServiceDefinition legacyReflection() {
    // grpcurl and older tools still ask grpc.reflection.v1alpha first.
    return ProtoReflectionService.newInstance().bindService();
  }

  private <T extends AutoCloseable> T own(T resource) {
    resources.add(resource);
    return resource;
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public int grpcPort() {
    return server.port();
  }

  public int metricsPort() {
    return metricsPort;
  }

  public HikariDataSource dataSource() {
    return dataSource;
  }

  public Metrics metrics() {
    return metrics;
  }

  public String redisUrl() {
    return redisUrl;
  }

  public DatabaseHealthMonitor healthMonitor() {
    return healthMonitor;
  }

  public void blockUntilShutdown() throws InterruptedException {
    server.blockUntilShutdown();
  }

  /** Stops the server (calls in flight get the grace period), then closes everything it opened. */
  @Override
  public synchronized void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        log.warn("error while shutting down", e);
      }
    }
    resources.clear();
  }
}
