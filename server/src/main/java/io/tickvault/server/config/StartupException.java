package io.tickvault.server.config;

/**
 * The server cannot start for a reason outside it (a port taken, the data dir in use, PostgreSQL
 * unreachable or refusing): its message is one line that says what is wrong and what to do, as
 * {@code Main} prints it without a stack trace.
 */
public final class StartupException extends RuntimeException {
  public StartupException(String message) {
    super(message);
  }

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
