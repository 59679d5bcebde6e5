package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.Ports;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.testing.TestDependencies;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that cannot start says why in one line, as a configuration error does: what is wrong,
 * what to do, a non-zero exit and no stack trace (unless --debug). Each case runs the real
 * {@code Main} in a child process and reads its standard error.
 */
class StartupFailuresIT {
  /** A password given in a URL or a variable: no message may show it. */
  private static final String PASSWORD = "s3cr3tpw";

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @TempDir
  Path dir;

  @Test
  void portInUse_isFoundBeforeTheEmbeddedPostgresStarts() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      ServerProcess.Failed failed = ServerProcess.startExpectingFailure(Map.of(
          "TICKVAULT_DATA_DIR", dir.resolve("data").toString(),
          "TICKVAULT_GRPC_PORT", String.valueOf(taken.getLocalPort())));

      assertOneLine(failed, "tickvault: 127.0.0.1:" + taken.getLocalPort() + " is already in use (TICKVAULT_GRPC_PORT="
          + taken.getLocalPort() + "): stop what listens there (another tickvault?), or set TICKVAULT_GRPC_PORT to a free port");
      assertThat(dir.resolve("data").resolve("postgres")).as("no embedded PostgreSQL was started").doesNotExist();
    }
  }

  @Test
  void aSecondServerOnTheSameDataDir() {
    Path data = dir.resolve("shared");
    try (ServerProcess first = ServerProcess.startEmbedded(data, Map.of())) {
      ServerProcess.Failed second = ServerProcess.startExpectingFailure(Map.of(
          "TICKVAULT_DATA_DIR", data.toString(),
          "TICKVAULT_GRPC_PORT", String.valueOf(Ports.free()),
          "TICKVAULT_METRICS_PORT", "0"));

      assertOneLine(second, "tickvault: another tickvault server (pid " + first.handle().pid() + ") is using the data dir "
          + data.toAbsolutePath() + ": stop it first, or give this one another TICKVAULT_DATA_DIR");
      assertThat(first.isAlive()).isTrue();
    }
  }

  @Test
  void databaseUnreachable() {
    int nobody = Ports.free();

    ServerProcess.Failed failed = external("jdbc:postgresql://127.0.0.1:" + nobody + "/tickvault?user=postgres", Map.of());

    assertOneLine(failed, null);
    assertThat(failed.stderr()).startsWith("tickvault: cannot reach PostgreSQL at 127.0.0.1:" + nobody + " (")
        .endsWith("): is it running and reachable from here, and does TICKVAULT_DATABASE_URL name it? (--debug shows the stack trace)\n");
  }

  @Test
  void missingDatabase() {
    ServerProcess.Failed failed = external(database.url().replaceFirst("/[^/?]+\\?", "/tickvault_no_such_db?"), Map.of());

    assertOneLine(failed, null);
    assertThat(failed.stderr()).startsWith("tickvault: database 'tickvault_no_such_db' does not exist on ")
        .contains("create it (CREATE DATABASE tickvault_no_such_db) or fix TICKVAULT_DATABASE_URL");
  }

  @Test
  void wrongPassword_andUnknownUser() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start()) {
      try (HikariDataSource admin = Database.openPool(postgres.url(), null, null, 1)) {
        new Jdbc(admin).execute("CREATE ROLE tv_app LOGIN PASSWORD 'right-password'");
        Files.write(postgres.dataDir().resolve("pg_hba.conf"), List.of(
            "local all all trust",
            "host all postgres 127.0.0.1/32 trust",
            "host all all 127.0.0.1/32 scram-sha-256"));
        new Jdbc(admin).queryOne("SELECT pg_reload_conf()", rs -> rs.getBoolean(1));
      }
      String url = "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/postgres";

      ServerProcess.Failed wrongPassword = external(url, Map.of(
          "TICKVAULT_DATABASE_USER", "tv_app", "TICKVAULT_DATABASE_PASSWORD", "wrong-password"));
      ServerProcess.Failed unknownUser = external(url, Map.of(
          "TICKVAULT_DATABASE_USER", "nobody_here", "TICKVAULT_DATABASE_PASSWORD", "x"));

      assertOneLine(wrongPassword, null);
      assertThat(wrongPassword.stderr()).startsWith("tickvault: PostgreSQL refused the password of user 'tv_app' (")
          .contains("check TICKVAULT_DATABASE_PASSWORD");
      assertOneLine(unknownUser, null);
      assertThat(unknownUser.stderr()).startsWith("tickvault: PostgreSQL refused ");
    }
  }

  @Test
  void debug_showsTheStackTrace() {
    int nobody = Ports.free();
    Map<String, String> env = externalEnv("jdbc:postgresql://127.0.0.1:" + nobody + "/tickvault?user=postgres", Map.of());

    ServerProcess.Failed failed = ServerProcess.startExpectingFailure(env, "--debug");

    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.stderr()).contains("\tat ").contains("tickvault: cannot reach PostgreSQL at 127.0.0.1:" + nobody);
  }

  @Test
  void anUnknownOption_isRefusedBeforeAnythingStarts() {
    ServerProcess.Failed failed = ServerProcess.startExpectingFailure(Map.of(), "--reencrypt");

    assertThat(failed.exitCode()).isEqualTo(2);
    assertThat(failed.stderr()).isEqualTo("tickvault: unknown option '--reencrypt' (did you mean --reencrypt-api-keys?);"
        + " --help lists the options\n");
  }

  @Test
  void aMisspelledVariable_isWarnedAbout() {
    Map<String, String> env = new HashMap<>(externalEnv("jdbc:postgresql://127.0.0.1:" + Ports.free()
        + "/tickvault?user=postgres", Map.of()));
    env.put("TICKVAULT_WORKERS_TOKENS", "abc");

    ServerProcess.Failed failed = ServerProcess.startExpectingFailure(env);

    assertThat(failed.stderr().lines().findFirst().orElse("")).isEqualTo(
        "warning: TICKVAULT_WORKERS_TOKENS is not a tickvault variable and is ignored; did you mean TICKVAULT_WORKER_TOKENS?");
  }

  @Test
  void aMalformedRedisUrl_isRefusedByName_withoutItsPassword() {
    for (String url : List.of("redis://tv_user:" + PASSWORD + "@cache host:6379", "redis://tv_user:" + PASSWORD + "@127.0.0.1:99999",
        "redis://:" + PASSWORD + "@127.0.0.1:6379/not-a-number")) {
      ServerProcess.Failed failed = external(database.url(), Map.of("TICKVAULT_REDIS_URL", url));

      assertRefused(failed, Main.BAD_CONFIGURATION, 15);
      assertThat(failed.stderr()).as(url).startsWith("tickvault: bad configuration: TICKVAULT_REDIS_URL: ");
    }
  }

  @Test
  void aDatabaseUrlThatIsNotPostgresql_orThatTheDriverCannotRead_isRefusedByName_withoutItsPassword() {
    for (String url : List.of("jdbc:mysql://127.0.0.1/tickvault?user=tv_user&password=" + PASSWORD,
        "jdbc:postgresql://127.0.0.1:five/tickvault?user=tv_user&password=" + PASSWORD,
        "jdbc:postgresql://tv_user:" + PASSWORD + "@127.0.0.1:5432/tickvault")) {
      ServerProcess.Failed failed = external(url, Map.of());

      assertRefused(failed, Main.BAD_CONFIGURATION, 15);
      assertThat(failed.stderr()).as(url).startsWith("tickvault: bad configuration: TICKVAULT_DATABASE_URL: ");
    }
  }

  @Test
  void aValueRefused_leavesTheVariablesAfterItKnown() {
    ServerProcess.Failed failed = external("postgresql://127.0.0.1/tickvault", Map.of(
        "TICKVAULT_DATABASE_USER", "tv_user", "TICKVAULT_DATABASE_PASSWORD", PASSWORD,
        "TICKVAULT_DATABASE_POOL_SIZE", "4", "TICKVAULT_REDIS_TIMEOUT_MS", "500"));

    assertRefused(failed, Main.BAD_CONFIGURATION, 15);
    assertThat(failed.stderr()).startsWith("tickvault: bad configuration: TICKVAULT_DATABASE_URL: ");
  }

  @Test
  void aDatabaseUrlNamingRedis_failsWithinSeconds_namingTheVariable() {
    URI redis = URI.create(TestDependencies.redisUrl());

    ServerProcess.Failed failed = external("jdbc:postgresql://" + redis.getHost() + ":" + redis.getPort()
        + "/tickvault?user=tv_user&password=" + PASSWORD, Map.of());

    assertRefused(failed, Main.CANNOT_START, 15);
    assertThat(failed.stderr()).startsWith("tickvault: PostgreSQL at " + redis.getHost() + ":" + redis.getPort()
        + " did not answer in time (").contains("TICKVAULT_DATABASE_URL");
  }

  @Test
  void aDatabaseUrlNamingAListenerThatNeverAnswers_failsWithinSeconds_namingTheVariable() throws Exception {
    // Connections complete into the backlog without accept(): connected, and never a byte back.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      ServerProcess.Failed failed = external("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/tickvault", Map.of(
          "TICKVAULT_DATABASE_USER", "tv_user", "TICKVAULT_DATABASE_PASSWORD", PASSWORD));

      assertRefused(failed, Main.CANNOT_START, 15);
      assertThat(failed.stderr()).startsWith("tickvault: PostgreSQL at 127.0.0.1:" + silent.getLocalPort()
          + " did not answer in time (").contains("TICKVAULT_DATABASE_URL");
    }
  }

  @Test
  void metricsOnTheGrpcPort_isRefusedNamingBothVariables() {
    int port = Ports.free();

    ServerProcess.Failed failed = external(database.url(), Map.of(
        "TICKVAULT_GRPC_PORT", String.valueOf(port), "TICKVAULT_METRICS_PORT", String.valueOf(port)));

    assertRefused(failed, Main.BAD_CONFIGURATION, 15);
    assertThat(failed.stderr()).isEqualTo("tickvault: bad configuration: TICKVAULT_METRICS_PORT=" + port
        + ": the same port as TICKVAULT_GRPC_PORT; give the metrics a port of their own, or 0 for none\n");
  }

  private static ServerProcess.Failed external(String databaseUrl, Map<String, String> extra) {
    return ServerProcess.startExpectingFailure(externalEnv(databaseUrl, extra));
  }

  private static Map<String, String> externalEnv(String databaseUrl, Map<String, String> extra) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Map<String, String> env = new HashMap<>(Map.of(
        "TICKVAULT_DATABASE_URL", databaseUrl,
        "TICKVAULT_REDIS_URL", TestDependencies.redisUrl(),
        "TICKVAULT_MASTER_KEY", Base64.getEncoder().encodeToString(key),
        "TICKVAULT_GRPC_PORT", String.valueOf(Ports.free()),
        "TICKVAULT_METRICS_PORT", "0",
        "TICKVAULT_AUTH", "disabled"));
    env.putAll(extra);
    return env;
  }

  /**
   * The exit code, within {@code seconds}, one line on standard error with at most one pointer to
   * --debug, no stack trace, no "not a tickvault variable" for a variable the server reads, and
   * {@link #PASSWORD} nowhere.
   */
  private static void assertRefused(ServerProcess.Failed failed, int exitCode, int seconds) {
    assertThat(failed.exitCode()).as(failed.stderr()).isEqualTo(exitCode);
    assertThat(failed.took()).as(failed.stderr()).isLessThan(Duration.ofSeconds(seconds));
    assertThat(failed.stderr().lines()).as(failed.stderr()).hasSize(1);
    assertThat(failed.stderr().split("--debug", -1)).as(failed.stderr()).hasSizeLessThanOrEqualTo(2);
    assertThat(failed.stderr() + failed.stdout()).doesNotContain(PASSWORD).doesNotContain("\tat ");
  }

  /** Exit 1, one line on standard error (the exact line when given), no stack trace. */
  private static void assertOneLine(ServerProcess.Failed failed, String line) {
    assertThat(failed.exitCode()).as(failed.stderr()).isEqualTo(1);
    assertThat(failed.stderr().lines()).as(failed.stderr()).hasSize(1);
    assertThat(failed.stderr()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(failed.stdout()).as("the log").doesNotContain("\tat ");
    if (line != null) {
      assertThat(failed.stderr()).isEqualTo(line + " (--debug shows the stack trace)\n");
    }
  }
}
