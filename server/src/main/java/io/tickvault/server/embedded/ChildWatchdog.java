package io.tickvault.server.embedded;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the embedded PostgreSQL and Redis die with the server even when the server is killed
 * outright (kill -9, the OOM killer), which no JVM hook survives: a small {@code sh} loop that
 * outlives the JVM, waits for its pid to go, then sends SIGTERM to the children. Where there is
 * no {@code sh}, the next start stops them instead ({@link LeftoverProcesses}).
 */
final class ChildWatchdog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChildWatchdog.class);

  private final Process process;

  private ChildWatchdog(Process process) {
    this.process = process;
  }

  static ChildWatchdog watch(long child) {
    String pids = String.valueOf(child);
    String script = "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null; do sleep 1; done; kill " + pids + " 2>/dev/null";
    try {
      Process process = new ProcessBuilder("sh", "-c", script)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      return new ChildWatchdog(process);
    } catch (IOException e) {
      log.info("no watchdog for the embedded processes ({}): after a kill -9, the next start stops them", e.getMessage());
      return new ChildWatchdog(null);
    }
  }

  /** A clean stop closes the children itself: the watchdog is no longer needed. */
  @Override
  public void close() {
    if (process != null) {
      process.destroy();
    }
  }
}
