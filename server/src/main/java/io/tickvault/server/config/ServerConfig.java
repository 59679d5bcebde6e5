package io.tickvault.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the server is told from outside, read once at start-up and immutable afterwards.
 *
 * <p>{@link #fromEnvironment(Map)} reads the {@code TICKVAULT_*} variables (docs/operations.md);
 * tests build a config directly with {@link #builder()}. Either way every value is checked in one
 * place, when the config is built, and a bad one is refused at once with a {@link ConfigException}
 * that names its variable.
 */
public final class ServerConfig {
  public static final int DEFAULT_GRPC_PORT = 50051;
  public static final int DEFAULT_METRICS_PORT = 9464;
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  public static final Path DEFAULT_DATA_DIR = Path.of("tickvault-data");
  public static final Duration DEFAULT_API_KEY_TTL = Duration.ofSeconds(300);
  public static final Duration DEFAULT_DATABASE_READ_MAX_LAG = Duration.ofMillis(5000);
  public static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofMillis(200);
  public static final int DEFAULT_DATABASE_POOL_SIZE = 10;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_BOOK_LEVELS = 1000;
  /** orderbook_levels.level_index is a smallint: 0 to 32767. */
  public static final int MAX_BOOK_LEVELS_LIMIT = Short.MAX_VALUE + 1;
  /** An ingestion stream that keeps the server waiting this long for its next request is ended. */
  public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(5);

  // The allowed values of each numeric setting, in the unit of its variable.
  private static final Bounds GRPC_PORT = Bounds.number("TICKVAULT_GRPC_PORT", 0, 65535);
  private static final Bounds METRICS_PORT = Bounds.number("TICKVAULT_METRICS_PORT", 0, 65535);
  private static final Bounds DATABASE_POOL_SIZE = Bounds.number("TICKVAULT_DATABASE_POOL_SIZE", 1, 200);
  private static final Bounds MAX_BOOK_LEVELS = Bounds.number("TICKVAULT_MAX_BOOK_LEVELS", 1, MAX_BOOK_LEVELS_LIMIT);
  private static final Bounds REDIS_TIMEOUT = Bounds.positive("TICKVAULT_REDIS_TIMEOUT_MS", ChronoUnit.MILLIS, 60_000);
  private static final Bounds API_KEY_TTL = Bounds.positive("TICKVAULT_API_KEY_TTL", ChronoUnit.SECONDS, 86_400 * 7);
  private static final Bounds DATABASE_READ_MAX_LAG =
      Bounds.positive("TICKVAULT_DATABASE_READ_MAX_LAG_MS", ChronoUnit.MILLIS, 3_600_000);
  private static final Bounds SHUTDOWN_GRACE = new Bounds("TICKVAULT_SHUTDOWN_GRACE_SECONDS", ChronoUnit.SECONDS, 0, 3600);
  private static final Bounds INGEST_BUFFER_MB = Bounds.number("TICKVAULT_INGEST_BUFFER_MB", 0, 1 << 20);
  private static final Bounds STREAM_IDLE_TIMEOUT = new Bounds("TICKVAULT_STREAM_IDLE_TIMEOUT_SECONDS", ChronoUnit.SECONDS, 0, 86_400);
  // ConnectionLimits; zero turns a duration off.
  private static final Bounds MAX_CONCURRENT_STREAMS = Bounds.number("TICKVAULT_MAX_CONCURRENT_STREAMS", 1, 100_000);
  private static final Bounds MAX_CONNECTION_IDLE = new Bounds("TICKVAULT_MAX_CONNECTION_IDLE_SECONDS", ChronoUnit.SECONDS, 0, 604_800);
  private static final Bounds MAX_CONNECTION_AGE = new Bounds("TICKVAULT_MAX_CONNECTION_AGE_SECONDS", ChronoUnit.SECONDS, 0, 604_800);
  private static final Bounds MAX_CONNECTION_AGE_GRACE =
      new Bounds("TICKVAULT_MAX_CONNECTION_AGE_GRACE_SECONDS", ChronoUnit.SECONDS, 0, 604_800);
  private static final Bounds PERMIT_KEEPALIVE = Bounds.positive("TICKVAULT_PERMIT_KEEPALIVE_SECONDS", ChronoUnit.SECONDS, 86_400);
  private static final Bounds HANDSHAKE_TIMEOUT = Bounds.positive("TICKVAULT_HANDSHAKE_TIMEOUT_SECONDS", ChronoUnit.SECONDS, 600);
  private static final Bounds MAX_STREAM_RESETS = Bounds.number("TICKVAULT_MAX_STREAM_RESETS_PER_10S", 1, 1_000_000);

  private final int grpcPort;
  private final int metricsPort;
  private final String bindAddress;
  private final String metricsBindAddress;
  private final String databaseUrl;
  private final String databaseUser;
  private final String databasePassword;
  private final int databasePoolSize;
  private final String databaseReadUrl;
  private final Duration databaseReadMaxLag;
  private final String redisUrl;
  private final boolean redisCluster;
  private final Duration redisTimeout;
  private final Path dataDir;
  private final Duration apiKeyTtl;
  private final byte[] masterKey;
  private final List<byte[]> oldMasterKeys;
  private final List<String> workerTokens;
  private final List<String> adminTokens;
  private final boolean authDisabled;
  private final Path tlsCert;
  private final Path tlsKey;
  private final Path tlsClientCa;
  private final Duration shutdownGrace;
  private final int maxBookLevels;
  private final ConnectionLimits connectionLimits;
  private final long ingestBufferBytes;
  private final Duration streamIdleTimeout;
  private final boolean reflectionPublic;

  private ServerConfig(Builder b) {
    this.grpcPort = b.grpcPort;
    this.metricsPort = b.metricsPort;
    this.databaseUrl = b.databaseUrl;
    this.databaseUser = b.databaseUser;
    this.databasePassword = b.databasePassword;
    this.databasePoolSize = b.databasePoolSize;
    this.databaseReadUrl = b.databaseReadUrl;
    this.databaseReadMaxLag = b.databaseReadMaxLag;
    this.redisUrl = b.redisUrl;
    this.redisCluster = b.redisCluster;
    this.redisTimeout = b.redisTimeout;
    this.dataDir = b.dataDir;
    this.apiKeyTtl = b.apiKeyTtl;
    this.masterKey = b.masterKey == null ? null : b.masterKey.clone();
    this.oldMasterKeys = b.oldMasterKeys.stream().map(byte[]::clone).toList();
    this.workerTokens = List.copyOf(b.workerTokens);
    this.adminTokens = List.copyOf(b.adminTokens);
    this.authDisabled = b.authDisabled;
    this.tlsCert = b.tlsCert;
    this.tlsKey = b.tlsKey;
    this.tlsClientCa = b.tlsClientCa;
    this.shutdownGrace = b.shutdownGrace;
    this.maxBookLevels = b.maxBookLevels;
    this.connectionLimits = b.connectionLimits;
    this.ingestBufferBytes = b.ingestBufferBytes;
    this.streamIdleTimeout = b.streamIdleTimeout;
    this.reflectionPublic = b.reflectionPublic;
    // Nothing is open to the network unless told so: a container image says 0.0.0.0 (ours does).
    // The metrics port needs no token, so it has an address of its own.
    this.bindAddress = b.bindAddress != null ? b.bindAddress : DEFAULT_BIND_ADDRESS;
    this.metricsBindAddress = b.metricsBindAddress != null ? b.metricsBindAddress : DEFAULT_BIND_ADDRESS;
    validate();
  }

  private void validate() {
    GRPC_PORT.check(grpcPort);
    METRICS_PORT.check(metricsPort);
    DATABASE_POOL_SIZE.check(databasePoolSize);
    MAX_BOOK_LEVELS.check(maxBookLevels);
    REDIS_TIMEOUT.check(redisTimeout);
    API_KEY_TTL.check(apiKeyTtl);
    SHUTDOWN_GRACE.check(shutdownGrace);
    INGEST_BUFFER_MB.check(ingestBufferBytes / (1024 * 1024));
    STREAM_IDLE_TIMEOUT.check(streamIdleTimeout);
    MAX_CONCURRENT_STREAMS.check(connectionLimits.maxConcurrentStreams());
    MAX_CONNECTION_IDLE.check(connectionLimits.maxConnectionIdle());
    MAX_CONNECTION_AGE.check(connectionLimits.maxConnectionAge());
    MAX_CONNECTION_AGE_GRACE.check(connectionLimits.maxConnectionAgeGrace());
    PERMIT_KEEPALIVE.check(connectionLimits.permitKeepAliveTime());
    HANDSHAKE_TIMEOUT.check(connectionLimits.handshakeTimeout());
    MAX_STREAM_RESETS.check(connectionLimits.maxResetsPer10Seconds());
    DATABASE_READ_MAX_LAG.check(databaseReadMaxLag);
    if (databaseReadUrl != null && isEmbeddedDatabase()) {
      throw new ConfigException("TICKVAULT_DATABASE_READ_URL: a read replica needs TICKVAULT_DATABASE_URL (its primary)");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ConfigException("TICKVAULT_TLS_CERT and TICKVAULT_TLS_KEY: set both or neither");
    }
    if (redisCluster && redisUrl == null) {
      throw new ConfigException("TICKVAULT_REDIS_CLUSTER=true: needs TICKVAULT_REDIS_URL (the cluster's seed nodes)");
    }
    if (!redisCluster && redisUrl != null && redisUrl.contains(",")) {
      throw new ConfigException("TICKVAULT_REDIS_URL: several URLs are the seed nodes of a cluster: set TICKVAULT_REDIS_CLUSTER=true");
    }
    if (tlsClientCa != null && tlsCert == null) {
      throw new ConfigException("TICKVAULT_TLS_CLIENT_CA: needs TICKVAULT_TLS_CERT and TICKVAULT_TLS_KEY");
    }
    if (!isEmbeddedDatabase() && !authDisabled && workerTokens.isEmpty() && adminTokens.isEmpty()) {
      throw new ConfigException(
          "TICKVAULT_WORKER_TOKENS/TICKVAULT_ADMIN_TOKENS: an external database needs tokens "
              + "(or TICKVAULT_AUTH=disabled to run without authentication)");
    }
  }

  /** Reads the configuration from environment variables such as {@code System.getenv()}. */
  public static ServerConfig fromEnvironment(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    Builder b = builder();
    b.grpcPort(r.integer(GRPC_PORT, DEFAULT_GRPC_PORT));
    b.metricsPort(r.integer(METRICS_PORT, DEFAULT_METRICS_PORT));
    r.string("TICKVAULT_BIND_ADDRESS").ifPresent(b::bindAddress);
    r.string("TICKVAULT_METRICS_BIND_ADDRESS").ifPresent(b::metricsBindAddress);
    r.string("TICKVAULT_DATABASE_URL").ifPresent(url -> {
      if (!url.startsWith("jdbc:postgresql://")) {
        throw new ConfigException("TICKVAULT_DATABASE_URL: expected jdbc:postgresql://host:port/database, got " + redactUrl(url));
      }
      b.databaseUrl(url);
    });
    r.string("TICKVAULT_DATABASE_READ_URL").ifPresent(url -> {
      if (!url.startsWith("jdbc:postgresql://")) {
        throw new ConfigException("TICKVAULT_DATABASE_READ_URL: expected jdbc:postgresql://host:port/database, got " + redactUrl(url));
      }
      b.databaseReadUrl(url);
    });
    b.databaseReadMaxLag(r.duration(DATABASE_READ_MAX_LAG, DEFAULT_DATABASE_READ_MAX_LAG));
    r.string("TICKVAULT_DATABASE_USER").ifPresent(b::databaseUser);
    r.string("TICKVAULT_DATABASE_PASSWORD").ifPresent(b::databasePassword);
    b.databasePoolSize(r.integer(DATABASE_POOL_SIZE, DEFAULT_DATABASE_POOL_SIZE));
    r.string("TICKVAULT_REDIS_URL").ifPresent(urls -> {
      for (String url : urls.split(",")) {
        String u = url.trim();
        if (!u.startsWith("redis://") && !u.startsWith("rediss://")) {
          throw new ConfigException("TICKVAULT_REDIS_URL: expected redis://host:port or rediss://host:port "
              + "(comma-separated seed nodes for a cluster), got " + redactUrl(u));
        }
      }
      b.redisUrl(urls);
    });
    b.redisCluster(r.bool("TICKVAULT_REDIS_CLUSTER", false));
    b.redisTimeout(r.duration(REDIS_TIMEOUT, DEFAULT_REDIS_TIMEOUT));
    r.string("TICKVAULT_DATA_DIR").ifPresent(dir -> b.dataDir(Path.of(dir)));
    b.apiKeyTtl(r.duration(API_KEY_TTL, DEFAULT_API_KEY_TTL));
    r.string("TICKVAULT_MASTER_KEY").ifPresent(key -> b.masterKey(decodeMasterKey(key)));
    r.string("TICKVAULT_OLD_MASTER_KEYS").ifPresent(keys -> b.oldMasterKeys(Arrays.stream(keys.split(","))
        .map(String::trim).filter(k -> !k.isEmpty()).map(k -> decodeMasterKey("TICKVAULT_OLD_MASTER_KEYS", k)).toList()));
    b.workerTokens(r.tokens("TICKVAULT_WORKER_TOKENS"));
    b.adminTokens(r.tokens("TICKVAULT_ADMIN_TOKENS"));
    r.string("TICKVAULT_AUTH").ifPresent(auth -> {
      if (!auth.equals("disabled") && !auth.equals("enabled")) {
        throw new ConfigException("TICKVAULT_AUTH: expected 'disabled' or 'enabled', got '" + auth + "'");
      }
      b.authDisabled(auth.equals("disabled"));
    });
    r.file("TICKVAULT_TLS_CERT").ifPresent(b::tlsCert);
    r.file("TICKVAULT_TLS_KEY").ifPresent(b::tlsKey);
    r.file("TICKVAULT_TLS_CLIENT_CA").ifPresent(b::tlsClientCa);
    b.shutdownGrace(r.duration(SHUTDOWN_GRACE, DEFAULT_SHUTDOWN_GRACE));
    b.maxBookLevels(r.integer(MAX_BOOK_LEVELS, DEFAULT_MAX_BOOK_LEVELS));
    b.connectionLimits(connectionLimits(r));
    b.ingestBufferBytes(r.integer(INGEST_BUFFER_MB, 0) * 1024L * 1024L);
    b.streamIdleTimeout(r.duration(STREAM_IDLE_TIMEOUT, DEFAULT_STREAM_IDLE_TIMEOUT));
    r.string("TICKVAULT_REFLECTION").ifPresent(reflection -> {
      if (!reflection.equals("public") && !reflection.equals("token")) {
        throw new ConfigException("TICKVAULT_REFLECTION: expected 'token' or 'public', got '" + reflection + "'");
      }
      b.reflectionPublic(reflection.equals("public"));
    });
    return b.build();
  }

  private static ConnectionLimits connectionLimits(EnvReader r) {
    ConnectionLimits d = ConnectionLimits.DEFAULT;
    return new ConnectionLimits(
        r.integer(MAX_CONCURRENT_STREAMS, d.maxConcurrentStreams()),
        r.duration(MAX_CONNECTION_IDLE, d.maxConnectionIdle()),
        r.duration(MAX_CONNECTION_AGE, d.maxConnectionAge()),
        r.duration(MAX_CONNECTION_AGE_GRACE, d.maxConnectionAgeGrace()),
        r.duration(PERMIT_KEEPALIVE, d.permitKeepAliveTime()),
        r.duration(HANDSHAKE_TIMEOUT, d.handshakeTimeout()),
        r.integer(MAX_STREAM_RESETS, d.maxResetsPer10Seconds()));
  }

  /** Decodes a base64 master key of exactly 32 bytes (AES-256). */
  public static byte[] decodeMasterKey(String base64) {
    return decodeMasterKey("TICKVAULT_MASTER_KEY", base64);
  }

  private static byte[] decodeMasterKey(String variable, String base64) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(variable + ": not valid base64");
    }
    if (key.length != 32) {
      throw new ConfigException(variable + ": expected base64 of 32 bytes, got " + key.length + " bytes");
    }
    return key;
  }

  private static String redactUrl(String url) {
    // user:password@ must never reach a log line
    return url.replaceAll("//[^/@]*@", "//***@");
  }

  public static Builder builder() {
    return new Builder();
  }

  public int grpcPort() { return grpcPort; }
  public int metricsPort() { return metricsPort; }
  public String bindAddress() { return bindAddress; }
  public String metricsBindAddress() { return metricsBindAddress; }
  /** Empty: the server starts an embedded PostgreSQL in {@link #dataDir()}. */
  public Optional<String> databaseUrl() { return Optional.ofNullable(databaseUrl); }
  public Optional<String> databaseUser() { return Optional.ofNullable(databaseUser); }
  public Optional<String> databasePassword() { return Optional.ofNullable(databasePassword); }
  public int databasePoolSize() { return databasePoolSize; }
  /** Empty: history reads go to the primary too. Same database name, user and password as the primary. */
  public Optional<String> databaseReadUrl() { return Optional.ofNullable(databaseReadUrl); }
  /** Past this replication lag, history reads go to the primary. */
  public Duration databaseReadMaxLag() { return databaseReadMaxLag; }
  /** Empty: the server starts an embedded Redis. */
  public Optional<String> redisUrl() { return Optional.ofNullable(redisUrl); }
  /** True: {@link #redisUrl()} lists seed nodes of a Redis Cluster. */
  public boolean redisCluster() { return redisCluster; }
  public Duration redisTimeout() { return redisTimeout; }
  public Path dataDir() { return dataDir; }
  public Duration apiKeyTtl() { return apiKeyTtl; }
  /** Empty in embedded mode: the key is generated once and kept in the data dir. */
  public Optional<byte[]> masterKey() { return Optional.ofNullable(masterKey).map(byte[]::clone); }
  /** Previous master keys, still accepted for decryption while rows are re-encrypted (rotation). */
  public List<byte[]> oldMasterKeys() { return oldMasterKeys.stream().map(byte[]::clone).toList(); }
  public List<String> workerTokens() { return workerTokens; }
  public List<String> adminTokens() { return adminTokens; }
  /** True when no token is required: explicitly disabled, or the embedded default without tokens. */
  public boolean authDisabled() { return authDisabled || (workerTokens.isEmpty() && adminTokens.isEmpty()); }
  public Optional<Path> tlsCert() { return Optional.ofNullable(tlsCert); }
  public Optional<Path> tlsKey() { return Optional.ofNullable(tlsKey); }
  public Optional<Path> tlsClientCa() { return Optional.ofNullable(tlsClientCa); }
  public Duration shutdownGrace() { return shutdownGrace; }
  public int maxBookLevels() { return maxBookLevels; }
  public ConnectionLimits connectionLimits() { return connectionLimits; }
  /** The bytes all ingestion streams together may buffer; 0 means an eighth of the maximum heap. */
  public long ingestBufferBytes() { return ingestBufferBytes; }
  /** How long an ingestion stream may keep the server waiting for its next request; zero: for ever. */
  public Duration streamIdleTimeout() { return streamIdleTimeout; }
  /** True when reflection needs no token, like health; by default it needs a worker or admin token. */
  public boolean reflectionPublic() { return reflectionPublic; }
  public boolean isEmbeddedDatabase() { return databaseUrl == null; }
  public boolean isEmbeddedRedis() { return redisUrl == null; }

  /** Builds a {@link ServerConfig}; every value starts at its documented default. */
  public static final class Builder {
    private int grpcPort = DEFAULT_GRPC_PORT;
    private int metricsPort = DEFAULT_METRICS_PORT;
    private String bindAddress;
    private String metricsBindAddress;
    private String databaseUrl;
    private String databaseUser;
    private String databasePassword;
    private int databasePoolSize = DEFAULT_DATABASE_POOL_SIZE;
    private String databaseReadUrl;
    private Duration databaseReadMaxLag = DEFAULT_DATABASE_READ_MAX_LAG;
    private String redisUrl;
    private boolean redisCluster;
    private Duration redisTimeout = DEFAULT_REDIS_TIMEOUT;
    private Path dataDir = DEFAULT_DATA_DIR;
    private Duration apiKeyTtl = DEFAULT_API_KEY_TTL;
    private byte[] masterKey;
    private List<byte[]> oldMasterKeys = List.of();
    private List<String> workerTokens = List.of();
    private List<String> adminTokens = List.of();
    private boolean authDisabled;
    private Path tlsCert;
    private Path tlsKey;
    private Path tlsClientCa;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private int maxBookLevels = DEFAULT_MAX_BOOK_LEVELS;
    private ConnectionLimits connectionLimits = ConnectionLimits.DEFAULT;
    private long ingestBufferBytes;
    private Duration streamIdleTimeout = DEFAULT_STREAM_IDLE_TIMEOUT;
    private boolean reflectionPublic;

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
    public Builder tlsCert(Path path) { this.tlsCert = path; return this; }
    public Builder tlsKey(Path path) { this.tlsKey = path; return this; }
    public Builder tlsClientCa(Path path) { this.tlsClientCa = path; return this; }
    public Builder shutdownGrace(Duration grace) { this.shutdownGrace = Objects.requireNonNull(grace); return this; }
    public Builder maxBookLevels(int levels) { this.maxBookLevels = levels; return this; }
    public Builder connectionLimits(ConnectionLimits limits) { this.connectionLimits = Objects.requireNonNull(limits); return this; }
    public Builder ingestBufferBytes(long bytes) { this.ingestBufferBytes = bytes; return this; }
    public Builder streamIdleTimeout(Duration timeout) { this.streamIdleTimeout = Objects.requireNonNull(timeout); return this; }
    public Builder reflectionPublic(boolean isPublic) { this.reflectionPublic = isPublic; return this; }

    public ServerConfig build() {
      return new ServerConfig(this);
    }
  }

  /**
   * The allowed values of one numeric setting, {@code min} to {@code max} in the unit of its
   * environment variable ({@code unit} null for a plain number). A duration set through the builder
   * may be finer than that unit: with {@code positive}, any duration above zero is at least the
   * minimum.
   */
  private record Bounds(String variable, ChronoUnit unit, long min, long max, boolean positive) {
    Bounds(String variable, ChronoUnit unit, long min, long max) {
      this(variable, unit, min, max, false);
    }

    static Bounds number(String variable, long min, long max) {
      return new Bounds(variable, null, min, max);
    }

    static Bounds positive(String variable, ChronoUnit unit, long max) {
      return new Bounds(variable, unit, 1, max, true);
    }

    void check(long value) {
      if (value < min || value > max) {
        throw outOfRange(value);
      }
    }

    void check(Duration value) {
      boolean tooLow = positive ? value.isNegative() || value.isZero() : value.compareTo(Duration.of(min, unit)) < 0;
      if (tooLow || value.compareTo(Duration.of(max, unit)) > 0) {
        throw outOfRange(unit == ChronoUnit.SECONDS ? value.toSeconds() : value.toMillis());
      }
    }

    private ConfigException outOfRange(long value) {
      return new ConfigException(variable + "=" + value + ": out of range (expected " + min + " to " + max + ")");
    }
  }

  /** Reads single variables; each failure names its variable. */
  private static final class EnvReader {
    private final Map<String, String> env;

    EnvReader(Map<String, String> env) {
      this.env = env;
    }

    Optional<String> string(String name) {
      String value = env.get(name);
      return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    boolean bool(String name, boolean defaultValue) {
      Optional<String> raw = string(name);
      if (raw.isEmpty()) {
        return defaultValue;
      }
      return switch (raw.get()) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new ConfigException(name + "=" + raw.get() + ": expected true or false");
      };
    }

    /** A whole number; whether it is in range is checked with every other value, when the config is built. */
    int integer(Bounds bounds, int defaultValue) {
      Optional<String> raw = string(bounds.variable());
      if (raw.isEmpty()) {
        return defaultValue;
      }
      try {
        return Integer.parseInt(raw.get());
      } catch (NumberFormatException e) {
        throw new ConfigException(bounds.variable() + "=" + raw.get() + ": not a whole number (expected "
            + bounds.min() + " to " + bounds.max() + ")");
      }
    }

    /** A whole number of the variable's unit. */
    Duration duration(Bounds bounds, Duration defaultValue) {
      Optional<String> raw = string(bounds.variable());
      return raw.isEmpty() ? defaultValue : Duration.of(integer(bounds, 0), bounds.unit());
    }

    List<String> tokens(String name) {
      Optional<String> raw = string(name);
      if (raw.isEmpty()) {
        return List.of();
      }
      List<String> tokens = Arrays.stream(raw.get().split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
      for (String token : tokens) {
        if (token.length() < 16) {
          // never echo the token itself
          throw new ConfigException(name + ": every token must be at least 16 characters long");
        }
      }
      return tokens;
    }

    Optional<Path> file(String name) {
      return string(name).map(value -> {
        Path path = Path.of(value);
        if (!Files.isReadable(path)) {
          throw new ConfigException(name + "=" + value + ": no readable file there");
        }
        return path;
      });
    }
  }
}
