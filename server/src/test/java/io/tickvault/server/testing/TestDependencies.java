package io.tickvault.server.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import redis.embedded.RedisServer;

/**
 * The PostgreSQL and Redis that tests use, found once per test JVM in this order (the README says it):
 * {@code TICKVAULT_TEST_DATABASE_URL} / {@code TICKVAULT_TEST_REDIS_URL} when set; else
 * Testcontainers when a Docker engine answers and can start the image; else embedded servers. Tests never stop these:
 * a fault test starts an instance of its own ({@link OwnPostgres}, {@link OwnRedis}).
 */
public final class TestDependencies {
  private static final Logger log = LoggerFactory.getLogger(TestDependencies.class);

  private static String postgresUrl;
  private static String redisUrl;

  private TestDependencies() {}

  /**
   * A JDBC URL (with user) of a PostgreSQL server on which tests may create databases. Tests do
   * not use this database itself: {@link TestDatabase} makes one per test class.
   */
  public static synchronized String postgresAdminUrl() {
    if (postgresUrl == null) {
      postgresUrl = findPostgres();
    }
    return postgresUrl;
  }

  /** A redis:// URL. Tests share it, so they keep to keys of their own (random user ids). */
  public static synchronized String redisUrl() {
    if (redisUrl == null) {
      redisUrl = findRedis();
    }
    return redisUrl;
  }

  private static String findPostgres() {
    return firstAvailable("PostgreSQL", List.of(
        new Source("TICKVAULT_TEST_DATABASE_URL", () -> fromEnvironment("TICKVAULT_TEST_DATABASE_URL")),
        new Source("Testcontainers", () -> {
          if (!dockerAvailable()) {
            return Optional.empty();
          }
          PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
          startOrClose(container);
          return Optional.of(container.getJdbcUrl() + "&user=" + container.getUsername() + "&password=" + container.getPassword());
        }),
        new Source("an embedded server", () -> {
          try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres)));
            return Optional.of(postgres.getJdbcUrl("postgres", "postgres"));
          } catch (IOException e) {
            throw new UncheckedIOException("could not start an embedded PostgreSQL for the tests", e);
          }
        })));
  }

  private static String findRedis() {
    return firstAvailable("Redis", List.of(
        new Source("TICKVAULT_TEST_REDIS_URL", () -> fromEnvironment("TICKVAULT_TEST_REDIS_URL")),
        new Source("Testcontainers", () -> {
          if (!dockerAvailable()) {
            return Optional.empty();
          }
          GenericContainer<?> container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
          startOrClose(container);
          return Optional.of("redis://" + container.getHost() + ":" + container.getMappedPort(6379));
        }),
        new Source("an embedded server", () -> {
          OwnRedis redis = OwnRedis.start();
          Runtime.getRuntime().addShutdownHook(new Thread(redis::close));
          return Optional.of(redis.url());
        })));
  }

  /** One way to get a server: empty when it does not apply here (no variable, no Docker). */
  record Source(String name, Supplier<Optional<String>> url) {}

  /**
   * The URL of the first source that gives one. A source that applies but fails (a Docker engine
   * that answers but cannot pull the image, on a machine without a registry) is logged and the
   * next one is tried; only when the last fails too does the failure reach the tests.
   */
  static String firstAvailable(String what, List<Source> sources) {
    RuntimeException failures = null;
    for (Source source : sources) {
      try {
        Optional<String> url = source.url().get();
        if (url.isPresent()) {
          log.info("tests use {} from {}", what, source.name());
          return url.get();
        }
      } catch (RuntimeException e) {
        log.warn("tests cannot use {} from {} ({}): trying the next way", what, source.name(), e.getMessage());
        if (failures == null) {
          failures = new IllegalStateException("no " + what + " for the tests");
        }
        failures.addSuppressed(e);
      }
    }
    throw failures != null ? failures : new IllegalStateException("no " + what + " for the tests");
  }

  private static Optional<String> fromEnvironment(String variable) {
    String url = System.getenv(variable);
    return url == null || url.isBlank() ? Optional.empty() : Optional.of(url);
  }

  /** Starts the container and stops it with the JVM; a container that fails to start is closed at once. */
  private static void startOrClose(GenericContainer<?> container) {
    try {
      container.start();
    } catch (RuntimeException e) {
      closeQuietly(container);
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
  }

  /** True when a Docker engine answers; false (quickly) on machines without one. */
  public static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** A new empty directory under target/ for one server's files (its audit spool). */
  public static Path scratchDir(String prefix) {
    try {
      Path parent = Files.createDirectories(Path.of("target", "scratch"));
      return Files.createTempDirectory(parent, prefix).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // the JVM is exiting
    }
  }
}
