package io.tickvault.server.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import redis.embedded.RedisServer;

/**
 * The PostgreSQL and Redis that tests use, found once per test JVM in the order DESIGN.md gives:
 * {@code TICKVAULT_TEST_DATABASE_URL} / {@code TICKVAULT_TEST_REDIS_URL} when set; else
 * Testcontainers when a Docker engine answers; else embedded servers. Tests never stop these:
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
    String url = System.getenv("TICKVAULT_TEST_DATABASE_URL");
    if (url != null && !url.isBlank()) {
      log.info("tests use PostgreSQL from TICKVAULT_TEST_DATABASE_URL");
      return url;
    }
    if (dockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
      log.info("tests use PostgreSQL from Testcontainers");
      return container.getJdbcUrl() + "&user=" + container.getUsername() + "&password=" + container.getPassword();
    }
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres)));
      log.info("tests use an embedded PostgreSQL on port {}", postgres.getPort());
      return postgres.getJdbcUrl("postgres", "postgres");
    } catch (IOException e) {
      throw new UncheckedIOException("could not start an embedded PostgreSQL for the tests", e);
    }
  }

  private static String findRedis() {
    String url = System.getenv("TICKVAULT_TEST_REDIS_URL");
    if (url != null && !url.isBlank()) {
      log.info("tests use Redis from TICKVAULT_TEST_REDIS_URL");
      return url;
    }
    if (dockerAvailable()) {
      GenericContainer<?> container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
      log.info("tests use Redis from Testcontainers");
      return "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
    }
    OwnRedis redis = OwnRedis.start();
    Runtime.getRuntime().addShutdownHook(new Thread(redis::close));
    log.info("tests use an embedded Redis at {}", redis.url());
    return redis.url();
  }

  /** True when a Docker engine answers; false (quickly) on machines without one. */
  public static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
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
