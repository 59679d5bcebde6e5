package io.tickvault.server.logging;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * A warning that repeats while a dependency is down, written at most once per interval with the
 * number of lines it held back since, so an outage under load does not flood the log.
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
    long suppressedBefore;
    synchronized (this) {
      long now = clock.millis();
      if (now < nextAllowedMillis) {
        suppressed++;
        return false;
      }
      nextAllowedMillis = now + interval.toMillis();
      suppressedBefore = suppressed;
      suppressed = 0;
    }
    if (suppressedBefore > 0) {
      log.warn("{} ({} similar lines suppressed in the last {} s)", message, suppressedBefore, interval.toSeconds());
    } else {
      log.warn(message);
    }
    return true;
  }
}
