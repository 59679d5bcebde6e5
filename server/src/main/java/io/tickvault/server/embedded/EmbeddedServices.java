package io.tickvault.server.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The embedded default: a PostgreSQL whose data lives in the data dir and survives restarts, a
 * Redis that only caches, and a master key generated once and kept beside the data. Each is
 * started only when the configuration does not name an external one.
 */
public final class EmbeddedServices implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedServices.class);
  private static final String MASTER_KEY_FILE = "master.key";

  private EmbeddedPostgres postgres;
  private RedisServer redis;
  private int redisPort;

  /** Starts PostgreSQL with its data in {@code dataDir/postgres}; returns its JDBC URL. */
  public String startPostgres(Path dataDir) {
    Path pgData = dataDir.resolve("postgres");
    try {
      Files.createDirectories(pgData);
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          .setServerConfig("listen_addresses", "127.0.0.1")
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL in " + pgData.toAbsolutePath(), e);
    }
    String url = postgres.getJdbcUrl("postgres", "postgres");
    log.info("embedded PostgreSQL started on 127.0.0.1:{}, data in {}", postgres.getPort(), pgData.toAbsolutePath());
    return url;
  }

  /** Starts Redis on a free loopback port without persistence; returns its redis:// URL. */
  public String startRedis() {
    try {
      redisPort = freePort();
      redis = RedisServer.newRedisServer()
          .port(redisPort)
          .bind("127.0.0.1")
          .setting("save \"\"")
          .setting("appendonly no")
          .build();
      redis.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded Redis", e);
    }
    log.info("embedded Redis started on 127.0.0.1:{}", redisPort);
    return "redis://127.0.0.1:" + redisPort;
  }

  /**
   * The master key kept in {@code dataDir/master.key}, generated on first use. Losing this file
   * makes the stored secrets unreadable, so it lives beside the data it protects.
   */
  public static byte[] loadOrCreateMasterKey(Path dataDir) {
    Path file = dataDir.resolve(MASTER_KEY_FILE);
    try {
      if (Files.exists(file)) {
        return Base64.getDecoder().decode(Files.readString(file).trim());
      }
      Files.createDirectories(dataDir);
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the data dir's own permissions protect the file
      }
      log.info("generated a master key for the embedded mode in {}", file.toAbsolutePath());
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read or write the master key " + file.toAbsolutePath(), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (redis != null) {
      try {
        redis.stop();
      } catch (IOException e) {
        log.warn("could not stop the embedded Redis cleanly", e);
      }
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        log.warn("could not stop the embedded PostgreSQL cleanly", e);
      }
    }
  }
}
