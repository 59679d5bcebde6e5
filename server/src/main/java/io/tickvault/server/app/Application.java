package io.tickvault.server.app;

import com.zaxxer.hikari.HikariDataSource;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.tickvault.api.TickvaultVersion;
import io.tickvault.server.apikeys.ApiKeyReencryption;
import io.tickvault.server.apikeys.ApiKeyRepository;
import io.tickvault.server.apikeys.ApiKeySecrets;
import io.tickvault.server.auth.AccessTokens;
import io.tickvault.server.config.ConfigException;
import io.tickvault.server.config.Endpoints;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.config.StartupException;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.DatabaseHealthMonitor;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.embedded.EmbeddedServices;
import io.tickvault.server.metrics.CandleMetrics;
import io.tickvault.server.metrics.Metrics;
import io.tickvault.server.retention.RetentionDeleter;
import io.tickvault.server.service.ApiKeyAdminGrpcService;
import io.tickvault.server.service.AuditGrpcService;
import io.tickvault.server.service.ApiKeyGrpcService;
import io.tickvault.server.service.AuthGrpcService;
import io.tickvault.server.service.IngestGrpcService;
import io.tickvault.server.service.Rpcs;
import io.tickvault.server.service.TokenAdminGrpcService;
import io.tickvault.server.trade.CandleBackfill;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, wired by hand in this one place, one concern per step, in start-up order:
 * each step takes what the steps before it returned ({@link #startAll}). {@link #close()} takes it
 * all down in reverse order.
 */
public final class Application implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Application.class);

  private final Resources resources = new Resources();
  private Infrastructure infra;
  private GrpcServer grpc;
  private Audit audit;
  private AccessTokens storedTokens;
  private Retention retention;
  private int metricsPort;

  private Application() {}

  /** Starts the server on a Netty port as the configuration says. */
  public static Application start(ServerConfig config) {
    FreePorts.require(config.endpoints());
    return start(config, GrpcServer.nettyBuilder(config));
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
    Clock clock = Clock.systemUTC();
    // First, so that a missing master key stops the server before anything starts or any
    // database is migrated.
    byte[] masterKey = masterKey(config);
    infra = Infrastructure.start(config, resources);
    Tokens tokens = Tokens.start(infra, clock, resources);
    storedTokens = tokens.tokens();
    ApiKeys apiKeys = ApiKeys.start(config.apiKeys(), masterKey, infra, clock);
    Markets markets = Markets.create(infra.jdbc(), clock);
    audit = Audit.start(config, masterKey, infra, clock, resources);
    CallExecutor executors = CallExecutor.start(config, infra.uncaughtErrors(), resources);
    CandleBackfill candleBackfill = CandleBackfill.open(infra.jdbc(), clock);
    CandleMetrics.register(infra.metrics().registry(), candleBackfill::complete, candleBackfill::slicesDone);
    retention = Retention.start(config.retention(), infra, candleBackfill, clock);
    Subscriptions subscriptions = Subscriptions.start(infra, markets.known(), clock, resources);
    ReadSide reads = ReadSide.start(config.reads(), infra.jdbc(), infra.readJdbc(), markets.known(), infra.redis().commands(),
        infra.scheduler(), executors.nearMisses(), infra.metrics().registry(), candleBackfill, subscriptions.trades(),
        subscriptions.orderBooks(), retention.horizons(), retention.report(), clock);
    IngestGrpcService ingest = Ingestion.service(config.ingest(), infra.jdbc(), markets.known(), reads.marketState(),
        executors.database(), infra.scheduler(), infra.metrics().ingest(), candleBackfill, subscriptions.tradeLog(),
        subscriptions.orderBookLog(), retention.horizons(), clock);
    List<BindableService> services = List.of(
        markets.service(),
        new ApiKeyGrpcService(apiKeys.cache(), apiKeys.secrets(), executors.nearMisses()),
        new ApiKeyAdminGrpcService(apiKeys.repository(), markets.repository(), apiKeys.secrets(), apiKeys.cache()),
        ingest,
        reads.service(),
        new TokenAdminGrpcService(tokens.admin(), clock),
        new AuthGrpcService(tokens.tokens()),
        new AuditGrpcService(audit.reads(), audit.verifier(), reads.streams()));
    grpc = GrpcServer.start(config, builder, services, Rpcs.all(), tokens.tokens(), ingest::endStreams, executors,
        infra, audit, resources);
    metricsPort = startMetrics(config.endpoints());
    logStarted(config);
    // Once serving: the stored trades are rolled up behind live ingestion, on a thread of their own.
    ScheduledExecutorService backfillThread =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tickvault-candle-backfill-"));
    resources.own(backfillThread::shutdownNow);
    candleBackfill.start(backfillThread);
    retention.startDeleting(resources);
  }

  private int startMetrics(Endpoints endpoints) {
    try {
      return infra.metrics().startHttp(endpoints.metricsBindAddress(), endpoints.metricsPort());
    } catch (UncheckedIOException e) {
      throw new StartupException("cannot serve metrics on " + endpoints.metricsBindAddress() + ":" + endpoints.metricsPort()
          + " (" + e.getCause().getMessage() + "): is the port taken? Set TICKVAULT_METRICS_PORT to a free port (0: no metrics)"
          + " or TICKVAULT_METRICS_BIND_ADDRESS to an address of this host", e);
    }
  }

  private void logStarted(ServerConfig config) {
    log.info("tickvault {} listening on {}:{} ({}), PostgreSQL {}, Redis {}{}",
        TickvaultVersion.current(), config.endpoints().bindAddress(), grpc.server().port(),
        config.tls().mode(),
        config.database().isEmbedded() ? "embedded (data in " + config.dataDir().toAbsolutePath() + ")" : "external",
        config.redis().isEmbedded() ? "embedded" : "external",
        metricsPort > 0 ? ", metrics at http://" + config.endpoints().metricsBindAddress() + ":" + metricsPort + "/metrics" : "");
    if (config.auth().disabled()) {
      log.warn("authentication is OFF: any caller may use every RPC (set TICKVAULT_WORKER_TOKENS and TICKVAULT_ADMIN_TOKENS to turn it on)");
    }
  }

  /**
   * Re-encrypts every stored API key secret under the current master key and returns what it did;
   * for {@code --reencrypt-api-keys}. Opens the configured (or embedded) database on its own.
   */
  public static ApiKeyReencryption.Result reencryptApiKeys(ServerConfig config) {
    byte[] masterKey = masterKey(config);
    try (EmbeddedServices embedded = new EmbeddedServices(config.dataDir())) {
      String databaseUrl = config.database().url().orElseGet(embedded::startPostgres);
      try (HikariDataSource pool = Infrastructure.openPool(config.database(), databaseUrl, 2)) {
        Database.migrate(pool);
        ApiKeySecrets secrets = new ApiKeySecrets(ApiKeys.cipher(config.apiKeys(), masterKey));
        return new ApiKeyReencryption(new ApiKeyRepository(new Jdbc(pool)), secrets).run();
      }
    }
  }

  /**
   * The master key: configured, or in the embedded default generated once into the data dir. An
   * external database is shared by replicas, which must all use the same configured key.
   */
  static byte[] masterKey(ServerConfig config) {
    return config.apiKeys().masterKey().orElseGet(() -> {
      if (!config.database().isEmbedded()) {
        throw new ConfigException("TICKVAULT_MASTER_KEY: required with an external database (base64 of 32 bytes)");
      }
      return EmbeddedServices.loadOrCreateMasterKey(config.dataDir());
    });
  }

  public int grpcPort() {
    return grpc.server().port();
  }

  public int metricsPort() {
    return metricsPort;
  }

  public HikariDataSource dataSource() {
    return infra.dataSource();
  }

  /** This server's audit chain. */
  public UUID auditChainId() {
    return audit.log().chainId();
  }

  /** How many calls made with stored tokens are open: each is ended when its token is revoked or expires. */
  public int openCallsWithStoredTokens() {
    return storedTokens.openCalls().size();
  }

  /** What removes the data older than its retention window; tests run it with {@code runOnce()}. */
  public RetentionDeleter retention() {
    return retention.deleter();
  }

  public Metrics metrics() {
    return infra.metrics();
  }

  public String redisUrl() {
    return infra.redisUrl();
  }

  /** What becomes of what no code caught on a thread: Main makes it every thread's default. */
  public Thread.UncaughtExceptionHandler uncaughtErrors() {
    return infra.uncaughtErrors();
  }

  public DatabaseHealthMonitor healthMonitor() {
    return grpc.healthMonitor();
  }

  public void blockUntilShutdown() throws InterruptedException {
    grpc.server().blockUntilShutdown();
  }

  /** Stops the server (calls in flight get the grace period), then closes everything it opened. */
  @Override
  public void close() {
    resources.close();
  }
}
