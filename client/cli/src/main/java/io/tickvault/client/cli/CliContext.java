package io.tickvault.client.cli;

import java.io.InputStream;
import java.time.Clock;
import java.util.Map;

/**
 * What the commands take from the world outside their arguments, injected so that tests run the
 * CLI in-JVM with an environment, a terminal and a standard input of their choosing.
 *
 * @param env the environment variables (TICKVAULT_TARGET, TICKVAULT_TOKEN, ...)
 * @param terminal whether output goes to a terminal, where a progress bar may redraw one line
 * @param clock for rates and ETAs
 * @param stdin what {@code -} reads, for file arguments and {@code call}
 */
public record CliContext(Map<String, String> env, boolean terminal, Clock clock, InputStream stdin) {
  public CliContext {
    env = Map.copyOf(env);
  }

  /** With the process's standard input. */
  public CliContext(Map<String, String> env, boolean terminal, Clock clock) {
    this(env, terminal, clock, System.in);
  }

  /** The real process: its environment, System.console() to tell a terminal, the system clock. */
  public static CliContext ofProcess() {
    return new CliContext(System.getenv(), System.console() != null, Clock.systemUTC(), System.in);
  }
}
