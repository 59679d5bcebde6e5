package io.tickvault.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  private static final String TOKEN = "worker-token-0123456789";

  @Test
  void emptyEnvironment_givesTheEmbeddedDefaultOnLoopback() {
    ServerConfig config = ServerConfig.fromEnvironment(Map.of());

    assertThat(config.endpoints().grpcPort()).isEqualTo(50051);
    assertThat(config.endpoints().metricsPort()).isEqualTo(9464);
    assertThat(config.database().isEmbedded()).isTrue();
    assertThat(config.redis().isEmbedded()).isTrue();
    assertThat(config.endpoints().bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.apiKeys().ttl()).isEqualTo(Duration.ofSeconds(300));
    assertThat(config.auth().disabled()).isTrue();
  }

  @Test
  void portThatIsNotANumber_namesTheVariable() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_GRPC_PORT", "abc")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("TICKVAULT_GRPC_PORT=abc: not a whole number (expected 0 to 65535)");
  }

  @Test
  void portOutOfRange_namesTheVariableAndTheRange() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_METRICS_PORT", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("TICKVAULT_METRICS_PORT=70000: out of range (expected 0 to 65535)");
  }

  @Test
  void ttlOfZero_isRejected() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_API_KEY_TTL", "0")))
        .hasMessageStartingWith("TICKVAULT_API_KEY_TTL=0: out of range");
  }

  @Test
  void databaseUrlThatIsNotPostgres_isRejectedWithoutEchoingItsPassword() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of(
            "TICKVAULT_DATABASE_URL", "mysql://admin:hunter2@db/x", "TICKVAULT_AUTH", "disabled")))
        .hasMessageStartingWith("TICKVAULT_DATABASE_URL: expected jdbc:postgresql://")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void urlsTheDriversCannotUse_areRejectedByName_withoutTheirPassword() {
    Map<String, String> refusals = Map.of(
        "jdbc:postgresql://db:five/x?user=u&password=hunter2", "TICKVAULT_DATABASE_URL: the PostgreSQL driver cannot read"
            + " jdbc:postgresql://db:five/x?user=u&password=*** (expected jdbc:postgresql://host:port/database, the port a number)",
        "jdbc:postgresql://u:hunter2@db/x", "TICKVAULT_DATABASE_URL: the PostgreSQL driver takes no user:password@ in the URL;"
            + " give them as ?user=...&password=... or in TICKVAULT_DATABASE_USER and TICKVAULT_DATABASE_PASSWORD;"
            + " got jdbc:postgresql://***@db/x",
        "redis://u:hunter2@cache host:6379", "TICKVAULT_REDIS_URL: not a Redis URL the client can use"
            + " (Illegal character in authority): redis://***@cache host:6379",
        "redis://u:hunter2@cache:port", "TICKVAULT_REDIS_URL: not a Redis URL the client can use"
            + " (no host, or a port that is not a number): redis://***@cache:port",
        "redis://u:hunter2@cache:99999", "TICKVAULT_REDIS_URL: not a Redis URL the client can use"
            + " (Port out of range: 99999): redis://***@cache:99999",
        "redis://:hunter2@cache:6379/zero", "TICKVAULT_REDIS_URL: not a Redis URL the client can use"
            + " (the database after the last / is not a number): redis://***@cache:6379/zero");
    refusals.forEach((url, message) -> {
      String variable = url.startsWith("jdbc:") ? "TICKVAULT_DATABASE_URL" : "TICKVAULT_REDIS_URL";
      assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of(variable, url, "TICKVAULT_AUTH", "disabled")))
          .as(url).hasMessage(message);
    });
  }

  @Test
  void databaseUrlAskingForSavepoints_isRejected_andAutosaveNeverIsFine() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_DATABASE_URL",
            "jdbc:postgresql://db/tv?autosave=always&password=hunter2", "TICKVAULT_AUTH", "disabled")))
        .hasMessage("TICKVAULT_DATABASE_URL: autosave=always is not supported: the server's writes must not run inside"
            + " savepoints (leave autosave out); got jdbc:postgresql://db/tv?autosave=always&password=***");
    assertThat(ServerConfig.fromEnvironment(Map.of("TICKVAULT_DATABASE_URL", "jdbc:postgresql://db/tv?autosave=never",
        "TICKVAULT_AUTH", "disabled")).database().url()).contains("jdbc:postgresql://db/tv?autosave=never");
  }

  @Test
  void masterKeyOfWrongLength_isRejected() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_MASTER_KEY", shortKey)))
        .hasMessage("TICKVAULT_MASTER_KEY: expected base64 of 32 bytes, got 16 bytes");
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_MASTER_KEY", "not base64!")))
        .hasMessage("TICKVAULT_MASTER_KEY: not valid base64");
  }

  @Test
  void oldMasterKeys_areReadForRotationAndCheckedOneByOne() {
    String a = Base64.getEncoder().encodeToString(new byte[32]);
    byte[] ones = new byte[32];
    java.util.Arrays.fill(ones, (byte) 1);
    String b = Base64.getEncoder().encodeToString(ones);

    ServerConfig config = ServerConfig.fromEnvironment(Map.of("TICKVAULT_OLD_MASTER_KEYS", a + ", " + b));

    assertThat(config.apiKeys().oldMasterKeys()).containsExactly(new byte[32], ones);
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_OLD_MASTER_KEYS", a + ",c2hvcnQ=")))
        .hasMessage("TICKVAULT_OLD_MASTER_KEYS: expected base64 of 32 bytes, got 5 bytes");
  }

  @Test
  void externalDatabaseWithoutTokens_refusesToStart() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_DATABASE_URL", "jdbc:postgresql://db/tickvault")))
        .hasMessageContaining("TICKVAULT_AUTH=disabled");
  }

  @Test
  void externalDatabaseWithTokens_hasAuth_andStillListensOnLoopbackUnlessTold() {
    ServerConfig config = ServerConfig.fromEnvironment(Map.of(
        "TICKVAULT_DATABASE_URL", "jdbc:postgresql://db/tickvault",
        "TICKVAULT_WORKER_TOKENS", TOKEN + ", other-worker-token-0123"));

    assertThat(config.auth().workerTokens()).containsExactly(TOKEN, "other-worker-token-0123");
    assertThat(config.auth().disabled()).isFalse();
    assertThat(config.endpoints().bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.endpoints().metricsBindAddress()).isEqualTo("127.0.0.1");

    ServerConfig open = ServerConfig.fromEnvironment(Map.of("TICKVAULT_BIND_ADDRESS", "0.0.0.0",
        "TICKVAULT_METRICS_BIND_ADDRESS", "10.1.2.3"));
    assertThat(open.endpoints().bindAddress()).isEqualTo("0.0.0.0");
    assertThat(open.endpoints().metricsBindAddress()).isEqualTo("10.1.2.3");
  }

  @Test
  void shortToken_isRejectedWithoutEchoingIt() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_ADMIN_TOKENS", "secret1")))
        .hasMessage("TICKVAULT_ADMIN_TOKENS: every token must be at least 16 characters long")
        .hasMessageNotContaining("secret1");
  }

  @Test
  void tlsCertWithoutKey_isRejected() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_TLS_CERT", "/nonexistent/cert.pem")))
        .hasMessage("TICKVAULT_TLS_CERT=/nonexistent/cert.pem: no readable file there");
  }

  @Test
  void theBuilderRefusesWhatTheEnvironmentRefuses_withTheSameWords() {
    assertRefusedBothWays(b -> b.grpcPort(-1), "TICKVAULT_GRPC_PORT", "-1",
        "TICKVAULT_GRPC_PORT=-1: out of range (expected 0 to 65535)");
    assertRefusedBothWays(b -> b.metricsPort(65536), "TICKVAULT_METRICS_PORT", "65536",
        "TICKVAULT_METRICS_PORT=65536: out of range (expected 0 to 65535)");
    assertRefusedBothWays(b -> b.databasePoolSize(0), "TICKVAULT_DATABASE_POOL_SIZE", "0",
        "TICKVAULT_DATABASE_POOL_SIZE=0: out of range (expected 1 to 200)");
    assertRefusedBothWays(b -> b.maxBookLevels(0), "TICKVAULT_MAX_BOOK_LEVELS", "0",
        "TICKVAULT_MAX_BOOK_LEVELS=0: out of range (expected 1 to 32768)");
    assertRefusedBothWays(b -> b.redisTimeout(Duration.ZERO), "TICKVAULT_REDIS_TIMEOUT_MS", "0",
        "TICKVAULT_REDIS_TIMEOUT_MS=0: out of range (expected 1 to 60000)");
    assertRefusedBothWays(b -> b.apiKeyTtl(Duration.ofDays(8)), "TICKVAULT_API_KEY_TTL", "691200",
        "TICKVAULT_API_KEY_TTL=691200: out of range (expected 1 to 604800)");
    assertRefusedBothWays(b -> b.shutdownGrace(Duration.ofSeconds(-1)), "TICKVAULT_SHUTDOWN_GRACE_SECONDS", "-1",
        "TICKVAULT_SHUTDOWN_GRACE_SECONDS=-1: out of range (expected 0 to 3600)");
  }

  @Test
  void theBuilderTakesDurationsFinerThanTheVariablesUnit() {
    ServerConfig config = ServerConfig.builder().apiKeyTtl(Duration.ofMillis(700)).shutdownGrace(Duration.ZERO).build();

    assertThat(config.apiKeys().ttl()).isEqualTo(Duration.ofMillis(700));
    assertThat(config.shutdownGrace()).isZero();
  }

  @Test
  void theBoundsThemselvesAreAccepted() {
    ServerConfig config = ServerConfig.fromEnvironment(Map.of(
        "TICKVAULT_GRPC_PORT", "0", "TICKVAULT_DATABASE_POOL_SIZE", "200", "TICKVAULT_MAX_BOOK_LEVELS", "32768",
        "TICKVAULT_API_KEY_TTL", "604800", "TICKVAULT_REDIS_TIMEOUT_MS", "1"));

    assertThat(config.endpoints().grpcPort()).isZero();
    assertThat(config.database().poolSize()).isEqualTo(200);
    assertThat(config.ingest().maxBookLevels()).isEqualTo(32768);
    assertThat(config.apiKeys().ttl()).isEqualTo(Duration.ofDays(7));
    assertThat(config.redis().timeout()).isEqualTo(Duration.ofMillis(1));
  }

  @Test
  void connectionLimits_readFromTheEnvironment_andCheckedWithTheSameWords() {
    ServerConfig config = ServerConfig.fromEnvironment(Map.of(
        "TICKVAULT_MAX_CONCURRENT_STREAMS", "7", "TICKVAULT_MAX_CONNECTION_IDLE_SECONDS", "0",
        "TICKVAULT_MAX_CONNECTION_AGE_SECONDS", "60", "TICKVAULT_MAX_CONNECTION_AGE_GRACE_SECONDS", "5",
        "TICKVAULT_PERMIT_KEEPALIVE_SECONDS", "9", "TICKVAULT_HANDSHAKE_TIMEOUT_SECONDS", "3",
        "TICKVAULT_MAX_STREAM_RESETS_PER_10S", "50", "TICKVAULT_INGEST_BUFFER_MB", "64", "TICKVAULT_REFLECTION", "public"));

    assertThat(config.connectionLimits()).isEqualTo(new ConnectionLimits(7, Duration.ZERO, Duration.ofSeconds(60),
        Duration.ofSeconds(5), Duration.ofSeconds(9), Duration.ofSeconds(3), 50));
    assertThat(config.ingest().bufferBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(config.auth().reflectionPublic()).isTrue();
    assertThat(ServerConfig.fromEnvironment(Map.of()).connectionLimits()).isEqualTo(ConnectionLimits.DEFAULT);
    assertThat(ServerConfig.fromEnvironment(Map.of()).auth().reflectionPublic()).isFalse();

    ConnectionLimits d = ConnectionLimits.DEFAULT;
    assertRefusedBothWays(b -> b.connectionLimits(new ConnectionLimits(0, d.maxConnectionIdle(), d.maxConnectionAge(),
            d.maxConnectionAgeGrace(), d.permitKeepAliveTime(), d.handshakeTimeout(), d.maxResetsPer10Seconds())),
        "TICKVAULT_MAX_CONCURRENT_STREAMS", "0", "TICKVAULT_MAX_CONCURRENT_STREAMS=0: out of range (expected 1 to 100000)");
    assertRefusedBothWays(b -> b.connectionLimits(new ConnectionLimits(1, d.maxConnectionIdle(), d.maxConnectionAge(),
            d.maxConnectionAgeGrace(), Duration.ZERO, d.handshakeTimeout(), d.maxResetsPer10Seconds())),
        "TICKVAULT_PERMIT_KEEPALIVE_SECONDS", "0", "TICKVAULT_PERMIT_KEEPALIVE_SECONDS=0: out of range (expected 1 to 86400)");
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_REFLECTION", "open")))
        .hasMessage("TICKVAULT_REFLECTION: expected 'token' or 'public', got 'open'");
  }

  @Test
  void readBounds_readFromTheEnvironment_andChecked() {
    ServerConfig config = ServerConfig.fromEnvironment(Map.of(
        "TICKVAULT_READ_BUFFER_MB", "32", "TICKVAULT_READ_STALL_TIMEOUT_SECONDS", "7"));
    assertThat(config.reads()).isEqualTo(new ReadSettings(32L * 1024 * 1024, Duration.ofSeconds(7)));
    assertThat(ServerConfig.fromEnvironment(Map.of()).reads())
        .isEqualTo(new ReadSettings(0, ReadSettings.DEFAULT_STALL_TIMEOUT));
    assertRefusedBothWays(b -> b.readStallTimeout(Duration.ZERO), "TICKVAULT_READ_STALL_TIMEOUT_SECONDS", "0",
        "TICKVAULT_READ_STALL_TIMEOUT_SECONDS=0: out of range (expected 1 to 3600)");
    assertRefusedBothWays(b -> b.readBufferBytes((1L << 40) + (1L << 20)), "TICKVAULT_READ_BUFFER_MB", "1048577",
        "TICKVAULT_READ_BUFFER_MB=1048577: out of range (expected 0 to 1048576)");
  }

  private static void assertRefusedBothWays(UnaryOperator<ServerConfig.Builder> set, String variable, String value,
                                            String message) {
    assertThatThrownBy(() -> set.apply(ServerConfig.builder()).build())
        .isInstanceOf(ConfigException.class).hasMessage(message);
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of(variable, value)))
        .isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void redisCluster_takesCommaSeparatedSeedNodes() {
    ServerConfig config = ServerConfig.fromEnvironment(Map.of(
        "TICKVAULT_REDIS_CLUSTER", "true", "TICKVAULT_REDIS_URL", "redis://10.0.0.1:7000, redis://10.0.0.2:7000"));

    assertThat(config.redis().cluster()).isTrue();
    assertThat(config.redis().url()).contains("redis://10.0.0.1:7000, redis://10.0.0.2:7000");
    assertThat(ServerConfig.fromEnvironment(Map.of()).redis().cluster()).isFalse();
  }

  @Test
  void redisCluster_badValuesNameTheVariable() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_REDIS_CLUSTER", "yes")))
        .hasMessage("TICKVAULT_REDIS_CLUSTER=yes: expected true or false");
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_REDIS_CLUSTER", "true")))
        .hasMessageStartingWith("TICKVAULT_REDIS_CLUSTER=true: needs TICKVAULT_REDIS_URL");
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_REDIS_URL", "redis://a:1,redis://b:1")))
        .hasMessageStartingWith("TICKVAULT_REDIS_URL: several URLs are the seed nodes of a cluster");
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of(
            "TICKVAULT_REDIS_CLUSTER", "true", "TICKVAULT_REDIS_URL", "redis://a:1,http://b:1")))
        .hasMessageStartingWith("TICKVAULT_REDIS_URL: expected redis://host:port");
  }

  @Test
  void readReplica_isOptionalAndItsLagLimitDefaultsToFiveSeconds() {
    ServerConfig none = ServerConfig.fromEnvironment(Map.of());
    assertThat(none.database().readUrl()).isEmpty();
    assertThat(none.database().readMaxLag()).isEqualTo(Duration.ofSeconds(5));

    ServerConfig config = ServerConfig.fromEnvironment(Map.of("TICKVAULT_AUTH", "disabled",
        "TICKVAULT_DATABASE_URL", "jdbc:postgresql://primary/tv", "TICKVAULT_DATABASE_READ_URL", "jdbc:postgresql://replica/tv",
        "TICKVAULT_DATABASE_READ_MAX_LAG_MS", "1500"));
    assertThat(config.database().readUrl()).contains("jdbc:postgresql://replica/tv");
    assertThat(config.database().readMaxLag()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void readReplica_badValuesNameTheVariable() {
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_DATABASE_READ_URL", "jdbc:postgresql://replica/tv")))
        .hasMessageStartingWith("TICKVAULT_DATABASE_READ_URL: a read replica needs TICKVAULT_DATABASE_URL");
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_DATABASE_READ_URL", "postgres://u:hunter2@replica/tv")))
        .hasMessageStartingWith("TICKVAULT_DATABASE_READ_URL: expected jdbc:postgresql://")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_DATABASE_READ_MAX_LAG_MS", "0")))
        .hasMessage("TICKVAULT_DATABASE_READ_MAX_LAG_MS=0: out of range (expected 1 to 3600000)");
  }

  @Test
  void retention_unsetKeepsForever_daysAreRead_andZeroOrTextIsRefusedByName() {
    RetentionSettings none = ServerConfig.fromEnvironment(Map.of()).retention();
    assertThat(none.trades()).isEmpty();
    assertThat(none.orderBooks()).isEmpty();
    assertThat(none.batchRows()).isEqualTo(10_000);
    assertThat(none.pause()).isEqualTo(Duration.ofMillis(100));

    RetentionSettings set = ServerConfig.fromEnvironment(Map.of("TICKVAULT_RETENTION_DAYS", "30",
        "TICKVAULT_ORDERBOOK_RETENTION_DAYS", "7", "TICKVAULT_RETENTION_BATCH_ROWS", "500",
        "TICKVAULT_RETENTION_PAUSE_MS", "0")).retention();
    assertThat(set.trades()).contains(Duration.ofDays(30));
    assertThat(set.orderBooks()).contains(Duration.ofDays(7));
    assertThat(set.batchRows()).isEqualTo(500);
    assertThat(set.pause()).isZero();

    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_RETENTION_DAYS", "0")))
        .hasMessage("TICKVAULT_RETENTION_DAYS=0: out of range (expected 1 to 36500)");
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_ORDERBOOK_RETENTION_DAYS", "7d")))
        .hasMessage("TICKVAULT_ORDERBOOK_RETENTION_DAYS=7d: not a whole number (expected 1 to 36500)");
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TICKVAULT_RETENTION_BATCH_ROWS", "10")))
        .hasMessage("TICKVAULT_RETENTION_BATCH_ROWS=10: out of range (expected 100 to 1000000)");
    assertThatThrownBy(() -> ServerConfig.builder().retention(new RetentionSettings(
            java.util.Optional.of(Duration.ofHours(36)), java.util.Optional.empty(), 1_000, Duration.ZERO)).build())
        .hasMessage("TICKVAULT_RETENTION_DAYS: a whole number of days, got PT36H");
  }
}
