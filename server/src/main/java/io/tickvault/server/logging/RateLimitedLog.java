package io.tickvault.server.logging;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * A line that repeats (a dependency down, a caller sending garbage), written at most once per
 * interval with the number of lines it held back since, so an outage or a flood under load does not
 * flood the log.
 */
public final class RateLimitedLog {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final Logger log;
  private final Duration interval;
  private final Clock clock;
  private long nextAllowedMillis = Long.MIN_VALUE;
  private long suppressed;

  public RateLimitedLog(Logger log, Duration interval, Clock clock) {
    this.log = log;
    this.interval = interval;
    this.clock = clock;
  }

  /** Logs at WARN unless a line was written less than the interval ago; returns true when written. */
  public boolean warn(String message) {
    long suppressedBefore = admit();
    if (suppressedBefore < 0) {
      return false;
    }
    if (suppressedBefore > 0) {
      log.warn("{} ({} similar lines suppressed in the last {} s)", message, suppressedBefore, interval.toSeconds());
    } else {
      log.warn(message);
    }
    return true;
  }

  /** Logs at ERROR with the stack trace, at most once per interval; returns true when written. */
  public boolean error(String message, Throwable error) {
    long suppressedBefore = admit();
    if (suppressedBefore < 0) {
      return false;
    }
    log.error(suppressedBefore > 0
        ? message + " (" + suppressedBefore + " similar lines suppressed in the last " + interval.toSeconds() + " s)"
        : message, error);
    return true;
  }

  /** The lines held back since the last one written, or -1 when this one is held back too. */
  private synchronized long admit() {
    long now = clock.millis();
    if (now < nextAllowedMillis) {
      suppressed++;
      return -1;
    }
    nextAllowedMillis = now + interval.toMillis();
    long suppressedBefore = suppressed;
    suppressed = 0;
    return suppressedBefore;
  }
}
