package io.tickvault.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL primary of the test's own and a streaming standby made from it with
 * {@code pg_basebackup -R}, each on a free loopback port, data and logs in a temporary directory;
 * either may be stopped and started again. Uses the machine's PostgreSQL programs (Debian's
 * {@code /usr/lib/postgresql/<version>/bin}, the newest that has initdb, pg_ctl and pg_basebackup),
 * one version for both servers. PostgreSQL refuses to run as root: as root the programs run as the
 * {@code postgres} OS user ({@code runuser -u postgres}). {@link #close()} stops both and removes
 * the directory; a JVM shutdown hook does the same if the test JVM exits first. Every wait is
 * bounded. Never the machine's shared PostgreSQL.
 */
public final class OwnPostgresReplica implements AutoCloseable {
  private static final int TIMEOUT_SECONDS = 60;
  private static final String OS_USER = "postgres";

  private final Path bin;
  private final Path dir;
  private final boolean asRoot;
  private final int primaryPort = TestDependencies.freePort();
  private final int replicaPort = TestDependencies.freePort();
  private final Thread shutdownHook = new Thread(this::stopQuietly, "own-postgres-replica-stop");

  private OwnPostgresReplica(Path bin, Path dir, boolean asRoot) {
    this.bin = bin;
    this.dir = dir;
    this.asRoot = asRoot;
  }

  /** Initializes and starts the primary, clones the standby from it and starts that too. */
  public static OwnPostgresReplica start() {
    Path bin = binaries();
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    OwnPostgresReplica pair;
    try {
      Path dir = Files.createTempDirectory("tickvault-pg-replica");
      if (asRoot) {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(dir, users.lookupPrincipalByName(OS_USER));
      }
      pair = new OwnPostgresReplica(bin, dir, asRoot);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(pair.shutdownHook);
    try {
      pair.run("initdb", "-D", pair.primaryData(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C",
          "--no-sync");
      pair.startPrimary();
      pair.run("pg_basebackup", "-h", "127.0.0.1", "-p", String.valueOf(pair.primaryPort), "-U", "postgres",
          "-D", pair.replicaData(), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync");
      pair.startReplica();
      return pair;
    } catch (RuntimeException | Error e) {
      pair.close();
      throw e;
    }
  }

  /** The directory of initdb, pg_ctl and pg_basebackup; skips the test when there is none. */
  private static Path binaries() {
    List<Path> candidates = new ArrayList<>();
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (DirectoryStream<Path> versions = Files.newDirectoryStream(debian)) {
        versions.forEach(v -> candidates.add(v.resolve("bin")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    candidates.sort(Comparator.comparing((Path p) -> versionOf(p)).reversed());
    String install = "install Debian's PostgreSQL server (apt-get install postgresql)";
    Optional<Path> dir = candidates.stream()
        .filter(d -> Stream.of("initdb", "pg_ctl", "pg_basebackup").allMatch(p -> Files.isExecutable(d.resolve(p))))
        .findFirst();
    return dir.orElseGet(() -> Executables.require("pg_basebackup", candidates, install).getParent());
  }

  private static int versionOf(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** JDBC URL (with user) of a database on the primary. */
  public String primaryUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + primaryPort + "/" + database + "?user=postgres";
  }

  /** JDBC URL (with user) of the same database on the standby. */
  public String replicaUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + replicaPort + "/" + database + "?user=postgres";
  }

  public synchronized void startPrimary() {
    pgCtlStart(primaryData(), primaryPort, "primary.log",
        "-c wal_level=replica -c max_wal_senders=5 -c wal_keep_size=256MB");
  }

  public synchronized void stopPrimary() {
    run("pg_ctl", "-D", primaryData(), "-m", "fast", "-w", "-t", String.valueOf(TIMEOUT_SECONDS), "stop");
  }

  public synchronized void startReplica() {
    pgCtlStart(replicaData(), replicaPort, "replica.log", "-c hot_standby=on");
  }

  public synchronized void stopReplica() {
    run("pg_ctl", "-D", replicaData(), "-m", "fast", "-w", "-t", String.valueOf(TIMEOUT_SECONDS), "stop");
  }

  private void pgCtlStart(String data, int port, String logFile, String extra) {
    String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
        + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off " + extra;
    run("pg_ctl", "-D", data, "-o", options, "-l", dir.resolve(logFile).toString(),
        "-w", "-t", String.valueOf(TIMEOUT_SECONDS), "start");
  }

  private String primaryData() {
    return dir.resolve("primary").toString();
  }

  private String replicaData() {
    return dir.resolve("replica").toString();
  }

  private void run(String program, String... args) {
    List<String> command = new ArrayList<>();
    if (asRoot) {
      command.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    try {
      Path output = Files.createTempFile("tickvault-pg-" + program, ".out");
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS + 10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError(program + " took longer than " + TIMEOUT_SECONDS + " s: " + command);
        }
        if (p.exitValue() != 0) {
          throw new AssertionError(program + " failed (exit " + p.exitValue() + "): " + command + "\n" + Files.readString(output));
        }
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private void stopQuietly() {
    for (String data : List.of(replicaData(), primaryData())) {
      if (Files.exists(Path.of(data, "postmaster.pid"))) {
        try {
          run("pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", String.valueOf(TIMEOUT_SECONDS), "stop");
        } catch (RuntimeException | AssertionError e) {
          // stopped already, or gone: nothing more to do
        }
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  @Override
  public void close() {
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already exiting
    }
  }
}
