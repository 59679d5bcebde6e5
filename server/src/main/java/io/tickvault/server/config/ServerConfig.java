package io.tickvault.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the server is told from outside, read once at start-up and immutable afterwards: one
 * part per concern ({@link Endpoints}, {@link DatabaseSettings}, {@link RedisSettings},
 * {@link TlsSettings}, {@link AuthSettings}, {@link ApiKeySettings}, {@link IngestSettings},
 * {@link ReadSettings}, {@link ConnectionLimits}, {@link AuditSettings}, {@link RetentionSettings}), each checking its own variables when it is made, plus the server's own
 * two settings and the one rule between parts.
 *
 * <p>{@link #fromEnvironment(Map)} reads the {@code TICKVAULT_*} variables (docs/operations.md);
 * tests build a config directly with {@link #builder()}. Either way a bad value is refused at once
 * with a {@link ConfigException} that names its variable.
 */
public final class ServerConfig {
  public static final Path DEFAULT_DATA_DIR = Path.of("tickvault-data");
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  private static final Bounds SHUTDOWN_GRACE = new Bounds("TICKVAULT_SHUTDOWN_GRACE_SECONDS", ChronoUnit.SECONDS, 0, 3600);

  private final Endpoints endpoints;
  private final DatabaseSettings database;
  private final RedisSettings redis;
  private final TlsSettings tls;
  private final AuthSettings auth;
  private final ApiKeySettings apiKeys;
  private final IngestSettings ingest;
  private final ReadSettings reads;
  private final ConnectionLimits connectionLimits;
  private final AuditSettings audit;
  private final RetentionSettings retention;
  private final Duration shutdownGrace;
  private final Path dataDir;

  private ServerConfig(Endpoints endpoints, DatabaseSettings database, RedisSettings redis, TlsSettings tls,
                       AuthSettings auth, ApiKeySettings apiKeys, IngestSettings ingest, ReadSettings reads,
                       ConnectionLimits connectionLimits, AuditSettings audit, RetentionSettings retention,
                       Duration shutdownGrace, Path dataDir) {
    SHUTDOWN_GRACE.check(shutdownGrace);
    // No token is fine for the embedded default, one developer's server; an external database is
    // shared by workers, so running it open has to be asked for by name.
    if (!database.isEmbedded() && !auth.disabledByName() && !auth.hasTokens()) {
      throw new ConfigException(
          "TICKVAULT_WORKER_TOKENS/TICKVAULT_ADMIN_TOKENS: an external database needs tokens "
              + "(or TICKVAULT_AUTH=disabled to run without authentication)");
    }
    this.endpoints = endpoints;
    this.database = database;
    this.redis = redis;
    this.tls = tls;
    this.auth = auth;
    this.apiKeys = apiKeys;
    this.ingest = ingest;
    this.reads = reads;
    this.connectionLimits = connectionLimits;
    this.audit = audit;
    this.retention = retention;
    this.shutdownGrace = shutdownGrace;
    this.dataDir = dataDir;
  }

  /** Reads the configuration from environment variables such as {@code System.getenv()}. */
  public static ServerConfig fromEnvironment(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    Endpoints endpoints = r.part(Endpoints::fromEnvironment);
    DatabaseSettings database = r.part(DatabaseSettings::fromEnvironment);
    RedisSettings redis = r.part(RedisSettings::fromEnvironment);
    Path dataDir = r.part(e -> e.string("TICKVAULT_DATA_DIR").map(Path::of).orElse(DEFAULT_DATA_DIR));
    ApiKeySettings apiKeys = r.part(ApiKeySettings::fromEnvironment);
    AuthSettings auth = r.part(AuthSettings::fromEnvironment);
    TlsSettings tls = r.part(TlsSettings::fromEnvironment);
    Duration shutdownGrace = r.part(e -> e.duration(SHUTDOWN_GRACE, DEFAULT_SHUTDOWN_GRACE));
    IngestSettings ingest = r.part(IngestSettings::fromEnvironment);
    ReadSettings reads = r.part(ReadSettings::fromEnvironment);
    ConnectionLimits connectionLimits = r.part(ConnectionLimits::fromEnvironment);
    AuditSettings audit = r.part(AuditSettings::fromEnvironment);
    RetentionSettings retention = r.part(RetentionSettings::fromEnvironment);
    r.throwFirstRefusal();
    return new ServerConfig(endpoints, database, redis, tls, auth, apiKeys, ingest, reads, connectionLimits,
        audit, retention, shutdownGrace, dataDir);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Endpoints endpoints() { return endpoints; }
  public DatabaseSettings database() { return database; }
  public RedisSettings redis() { return redis; }
  public TlsSettings tls() { return tls; }
  public AuthSettings auth() { return auth; }
  public ApiKeySettings apiKeys() { return apiKeys; }
  public IngestSettings ingest() { return ingest; }
  public ReadSettings reads() { return reads; }
  public ConnectionLimits connectionLimits() { return connectionLimits; }
  public AuditSettings audit() { return audit; }
  public RetentionSettings retention() { return retention; }
  /** On SIGTERM, how long calls in flight may finish. */
  public Duration shutdownGrace() { return shutdownGrace; }
  /** Where the embedded PostgreSQL and Redis and the generated master key live. */
  public Path dataDir() { return dataDir; }

  /** Builds a {@link ServerConfig} setting by setting; every value starts at its documented default. */
  public static final class Builder {
    private int grpcPort = Endpoints.DEFAULT_GRPC_PORT;
    private int metricsPort = Endpoints.DEFAULT_METRICS_PORT;
    private String bindAddress;
    private String metricsBindAddress;
    private String databaseUrl;
    private String databaseUser;
    private String databasePassword;
    private int databasePoolSize = DatabaseSettings.DEFAULT_POOL_SIZE;
    private String databaseReadUrl;
    private Duration databaseReadMaxLag = DatabaseSettings.DEFAULT_READ_MAX_LAG;
    private String redisUrl;
    private boolean redisCluster;
    private Duration redisTimeout = RedisSettings.DEFAULT_TIMEOUT;
    private Path dataDir = DEFAULT_DATA_DIR;
    private Duration apiKeyTtl = ApiKeySettings.DEFAULT_TTL;
    private byte[] masterKey;
    private List<byte[]> oldMasterKeys = List.of();
    private List<String> workerTokens = List.of();
    private List<String> adminTokens = List.of();
    private boolean authDisabled;
    private boolean reflectionPublic;
    private Path tlsCert;
    private Path tlsKey;
    private Path tlsClientCa;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private int maxBookLevels = IngestSettings.DEFAULT_MAX_BOOK_LEVELS;
    private long ingestBufferBytes = IngestSettings.DEFAULT_BUFFER_BYTES;
    private Duration streamIdleTimeout = IngestSettings.DEFAULT_STREAM_IDLE_TIMEOUT;
    private long readBufferBytes = ReadSettings.DEFAULT_BUFFER_BYTES;
    private Duration readStallTimeout = ReadSettings.DEFAULT_STALL_TIMEOUT;
    private ConnectionLimits connectionLimits = ConnectionLimits.DEFAULT;
    private Path auditSpoolDir;
    private long auditMaxSpoolBytes = AuditSettings.DEFAULT_MAX_SPOOL_BYTES;
    private RetentionSettings retention = RetentionSettings.KEEP_FOREVER;

    private Builder() {}

    public Builder grpcPort(int port) { this.grpcPort = port; return this; }
    public Builder metricsPort(int port) { this.metricsPort = port; return this; }
    public Builder bindAddress(String address) { this.bindAddress = address; return this; }
    public Builder metricsBindAddress(String address) { this.metricsBindAddress = address; return this; }
    public Builder databaseUrl(String url) { this.databaseUrl = url; return this; }
    public Builder databaseUser(String user) { this.databaseUser = user; return this; }
    public Builder databasePassword(String password) { this.databasePassword = password; return this; }
    public Builder databasePoolSize(int size) { this.databasePoolSize = size; return this; }
    public Builder databaseReadUrl(String url) { this.databaseReadUrl = url; return this; }
    public Builder databaseReadMaxLag(Duration lag) { this.databaseReadMaxLag = Objects.requireNonNull(lag); return this; }
    public Builder redisUrl(String url) { this.redisUrl = url; return this; }
    public Builder redisCluster(boolean cluster) { this.redisCluster = cluster; return this; }
    public Builder redisTimeout(Duration timeout) { this.redisTimeout = Objects.requireNonNull(timeout); return this; }
    public Builder dataDir(Path dir) { this.dataDir = Objects.requireNonNull(dir); return this; }
    public Builder apiKeyTtl(Duration ttl) { this.apiKeyTtl = Objects.requireNonNull(ttl); return this; }
    public Builder masterKey(byte[] key) { this.masterKey = key == null ? null : key.clone(); return this; }
    public Builder oldMasterKeys(List<byte[]> keys) { this.oldMasterKeys = keys.stream().map(byte[]::clone).toList(); return this; }
    public Builder workerTokens(List<String> tokens) { this.workerTokens = List.copyOf(tokens); return this; }
    public Builder adminTokens(List<String> tokens) { this.adminTokens = List.copyOf(tokens); return this; }
    public Builder authDisabled(boolean disabled) { this.authDisabled = disabled; return this; }
    public Builder reflectionPublic(boolean isPublic) { this.reflectionPublic = isPublic; return this; }
    public Builder tlsCert(Path path) { this.tlsCert = path; return this; }
    public Builder tlsKey(Path path) { this.tlsKey = path; return this; }
    public Builder tlsClientCa(Path path) { this.tlsClientCa = path; return this; }
    public Builder shutdownGrace(Duration grace) { this.shutdownGrace = Objects.requireNonNull(grace); return this; }
    public Builder maxBookLevels(int levels) { this.maxBookLevels = levels; return this; }
    public Builder ingestBufferBytes(long bytes) { this.ingestBufferBytes = bytes; return this; }
    public Builder streamIdleTimeout(Duration timeout) { this.streamIdleTimeout = Objects.requireNonNull(timeout); return this; }
    public Builder readBufferBytes(long bytes) { this.readBufferBytes = bytes; return this; }
    public Builder readStallTimeout(Duration timeout) { this.readStallTimeout = Objects.requireNonNull(timeout); return this; }
    public Builder connectionLimits(ConnectionLimits limits) { this.connectionLimits = Objects.requireNonNull(limits); return this; }
    public Builder auditSpoolDir(Path dir) { this.auditSpoolDir = dir; return this; }
    public Builder auditMaxSpoolBytes(long bytes) { this.auditMaxSpoolBytes = bytes; return this; }
    public Builder retention(RetentionSettings settings) { this.retention = Objects.requireNonNull(settings); return this; }

    public ServerConfig build() {
      return new ServerConfig(
          new Endpoints(grpcPort, bindAddress, metricsPort, metricsBindAddress),
          new DatabaseSettings(Optional.ofNullable(databaseUrl), Optional.ofNullable(databaseUser),
              Optional.ofNullable(databasePassword), databasePoolSize, Optional.ofNullable(databaseReadUrl),
              databaseReadMaxLag),
          new RedisSettings(Optional.ofNullable(redisUrl), redisCluster, redisTimeout),
          new TlsSettings(Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey), Optional.ofNullable(tlsClientCa)),
          new AuthSettings(workerTokens, adminTokens, authDisabled, reflectionPublic),
          new ApiKeySettings(masterKey, oldMasterKeys, apiKeyTtl),
          new IngestSettings(maxBookLevels, ingestBufferBytes, streamIdleTimeout),
          new ReadSettings(readBufferBytes, readStallTimeout),
          connectionLimits, new AuditSettings(Optional.ofNullable(auditSpoolDir), auditMaxSpoolBytes), retention,
          shutdownGrace, dataDir);
    }
  }
}
