package io.tickvault.server.embedded;

import io.tickvault.server.config.StartupException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The embedded default: a PostgreSQL whose data lives in the data dir and survives restarts, a
 * Redis that only caches, and a master key generated once and kept beside the data. Each is
 * started only when the configuration does not name an external one. One server per data dir
 * ({@link DataDirLock}); what a killed run left running is stopped first ({@link
 * LeftoverProcesses}); the children die with the server even on kill -9 ({@link ChildWatchdog}).
 */
public final class EmbeddedServices implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedServices.class);
  private static final String MASTER_KEY_FILE = "master.key";
  private static final String REDIS_PID_FILE = "redis.pid";
  private static final String POSTGRES_CLASS = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
  private static final String REDIS_CLASS = "redis.embedded.RedisServer";

  private final Path dataDir;
  private final List<AutoCloseable> started = new ArrayList<>();
  private DataDirLock lock;
  private EmbeddedPostgres postgres;
  private RedisServer redis;
  private int redisPort;

  /** @param dataDir where the embedded PostgreSQL keeps its data, and the pid files live */
  public EmbeddedServices(Path dataDir) {
    this.dataDir = dataDir;
  }

  /**
   * Starts PostgreSQL with its data in {@code dataDir/postgres}; returns its JDBC URL. A
   * PostgreSQL a killed previous run left running on that data is stopped first.
   */
  public String startPostgres() {
    requireBundled(POSTGRES_CLASS, "PostgreSQL", "TICKVAULT_DATABASE_URL");
    lockDataDir();
    Path pgData = dataDir.resolve("postgres");
    LeftoverProcesses.stopPostgres(pgData);
    try {
      Files.createDirectories(pgData);
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          .setServerConfig("listen_addresses", "127.0.0.1")
          // The embedded mode keeps its data across restarts: a commit the server acknowledged must
          // survive a crash of the machine too. The library's defaults (-F: fsync off, and
          // synchronous_commit off) would lose recent commits or corrupt the data on a power loss.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .start();
    } catch (IOException e) {
      throw new StartupException("could not start the embedded PostgreSQL in " + pgData.toAbsolutePath() + " ("
          + firstLine(e) + "): see its log above; if the data dir is damaged, move it away to start afresh", e);
    }
    started.add(postgres);
    watchdog(postmasterPid(pgData));
    String url = postgres.getJdbcUrl("postgres", "postgres");
    log.info("embedded PostgreSQL started on 127.0.0.1:{}, data in {}", postgres.getPort(), pgData.toAbsolutePath());
    return url;
  }

  /** Starts Redis on a free loopback port without persistence; returns its redis:// URL. */
  public String startRedis() {
    requireBundled(REDIS_CLASS, "Redis", "TICKVAULT_REDIS_URL");
    lockDataDir();
    Path pidFile = dataDir.resolve(REDIS_PID_FILE);
    LeftoverProcesses.stopRedis(pidFile);
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
      throw new StartupException("could not start the embedded Redis (" + firstLine(e) + "): set TICKVAULT_REDIS_URL to use another", e);
    }
    started.add(redis::stop);
    // The library keeps its process to itself: find it among this JVM's children by its port.
    ProcessHandle.current().children()
        .filter(p -> LeftoverProcesses.commandLine(p).contains("redis-server")
            && LeftoverProcesses.commandLine(p).contains(":" + redisPort))
        .findFirst()
        .ifPresentOrElse(p -> {
          LeftoverProcesses.writePid(pidFile, p.pid());
          watchdog(p.pid());
        }, () -> log.warn("could not find the embedded Redis process: after a kill -9 of the server it may be left running"));
    log.info("embedded Redis started on 127.0.0.1:{}", redisPort);
    return "redis://127.0.0.1:" + redisPort;
  }

  /**
   * tickvault-server-slim.jar (the Docker image's) leaves the embedded PostgreSQL and Redis out:
   * there, a missing URL is told as what to set, not as a NoClassDefFoundError.
   */
  static void requireBundled(String className, String what, String variable) {
    try {
      Class.forName(className, false, EmbeddedServices.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new StartupException(variable + " is not set, and this server (tickvault-server-slim.jar, as in the Docker image) has no embedded "
          + what + ": set TICKVAULT_DATABASE_URL, TICKVAULT_REDIS_URL and TICKVAULT_MASTER_KEY to use external ones");
    }
  }

  private void lockDataDir() {
    if (lock == null) {
      lock = DataDirLock.acquire(dataDir);
    }
  }

  private void watchdog(long pid) {
    if (pid > 0) {
      started.add(ChildWatchdog.watch(pid));
    }
  }

  private static long postmasterPid(Path pgData) {
    try {
      return Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  /**
   * The master key kept in {@code dataDir/master.key}, generated on first use. Losing this file
   * makes the stored secrets unreadable, so it lives beside the data it protects.
   */
  public static byte[] loadOrCreateMasterKey(Path dataDir) {
    // No key is generated for an embedded mode that this jar cannot run.
    requireBundled(POSTGRES_CLASS, "PostgreSQL", "TICKVAULT_DATABASE_URL");
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

  /** Stops what it started, last started first, then releases the data dir. */
  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("could not stop an embedded process cleanly", e);
      }
    }
    started.clear();
    if (lock != null) {
      try {
        lock.close();
      } catch (IOException e) {
        log.warn("could not release the data dir lock", e);
      }
      lock = null;
    }
  }
}
