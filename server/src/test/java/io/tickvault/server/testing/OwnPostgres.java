package io.tickvault.server.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded PostgreSQL of the test's own, with its data in a temporary directory kept across
 * {@link #stop()} and {@link #restart()} on the same port: for fault tests that take the database
 * away in the middle of a stream. Never the machine's shared PostgreSQL.
 */
public final class OwnPostgres implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres postgres;

  private OwnPostgres(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  public static OwnPostgres start() {
    try {
      OwnPostgres own = new OwnPostgres(Files.createTempDirectory("tickvault-own-pg"), TestDependencies.freePort());
      own.restart();
      return own;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** JDBC URL with user, to the {@code postgres} database of this server. */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
  }

  public int port() {
    return port;
  }

  /** Where its data (and pg_hba.conf) lives. */
  public Path dataDir() {
    return dataDir;
  }

  /** Stops the server (fast shutdown); its data stays. */
  public synchronized void stop() {
    try {
      if (postgres != null) {
        postgres.close();
        postgres = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the server again on the same port with the same data. */
  public synchronized void restart() {
    try {
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(port)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
