package io.tickvault.server.ingest;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How long an ingestion stream may keep the server waiting for its next request before it is
 * ended, and the scheduler that checks. The clock runs only while the server has asked for a
 * request and is not writing: a stream held back by the server's own flow control is never idle.
 *
 * @param timeout zero turns the check off
 */
public record IdleTimeout(ScheduledExecutorService scheduler, Duration timeout) {
  public static final IdleTimeout OFF = new IdleTimeout(null, Duration.ZERO);

  boolean isOff() {
    return timeout.isZero();
  }
}
