package io.tickvault.server.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL and Redis a previous run left running when it was killed (kill -9, a
 * crash, the OOM killer): found by their pid files in the data dir and stopped before this run
 * starts its own. Only called while holding the data dir lock, so no live server owns them.
 */
final class LeftoverProcesses {
  private static final Logger log = LoggerFactory.getLogger(LeftoverProcesses.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private LeftoverProcesses() {}

  /** The postmaster of {@code pgData}, as its postmaster.pid names it, if it still runs. */
  static void stopPostgres(Path pgData) {
    // PostgreSQL's own file: first line the postmaster's pid, second its data directory.
    pidIn(pgData.resolve("postmaster.pid")).flatMap(ProcessHandle::of)
        .filter(p -> commandContains(p, "postgres"))
        .ifPresent(p -> stop(p, "PostgreSQL"));
  }

  /** The Redis named by {@code pidFile} (written by {@link #writePid}), if it still runs. */
  static void stopRedis(Path pidFile) {
    pidIn(pidFile).flatMap(ProcessHandle::of)
        .filter(p -> commandContains(p, "redis-server"))
        .ifPresent(p -> stop(p, "Redis"));
  }

  static void writePid(Path pidFile, long pid) {
    try {
      Files.writeString(pidFile, pid + "\n");
    } catch (IOException e) {
      log.warn("could not write {}: a restart after a crash will not find this process ({})", pidFile, e.getMessage());
    }
  }

  private static void stop(ProcessHandle process, String what) {
    log.warn("stopping the embedded {} (pid {}) that a previous run left running", what, process.pid());
    process.destroy(); // SIGTERM: PostgreSQL shuts down cleanly, its clients being gone
    try {
      process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception timeoutOrInterrupt) {
      // PostgreSQL recovers from its WAL after a SIGKILL, as after any crash.
      process.destroyForcibly();
      process.onExit().join();
    }
  }

  private static Optional<Long> pidIn(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty(); // no file (a clean stop), or not ours to read
    }
  }

  private static boolean commandContains(ProcessHandle process, String name) {
    // A pid may have been reused by an unrelated process since: only stop what looks like ours.
    return process.info().command().map(c -> c.contains(name)).orElse(false) || commandLine(process).contains(name);
  }

  /**
   * The process's command line as /proc shows it (Redis rewrites its own to "redis-server
   * host:port", which ProcessHandle.Info then no longer reports), or "" where there is no /proc.
   */
  static String commandLine(ProcessHandle process) {
    try {
      return Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline")).replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return process.info().commandLine().orElse("");
    }
  }
}
