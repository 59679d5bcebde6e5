package io.tickvault.server.ingest;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.server.logging.RateLimitedLog;
import java.time.Clock;
import org.slf4j.LoggerFactory;

/** How ingestion calls end when the server fails or stops under them, and the log of its own failures. */
final class IngestFailures {
  /** Failures that are bugs of ours: with their stack trace, but not one per call in a flood. */
  static final RateLimitedLog LOG = new RateLimitedLog(LoggerFactory.getLogger(IngestCall.class),
      RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());

  /** How a stream ends when the server stops under it: retryable, and saying what to resend. */
  static final Status SHUTTING_DOWN = Status.UNAVAILABLE.withDescription(
      "the server is shutting down: every acknowledged request is committed; send the rest again (to another replica, or after the restart)");

  private IngestFailures() {}

  /** How a call ends on a bug of the server's: short, and saying what the client may do. */
  static StatusRuntimeException internal(Throwable t) {
    return Status.INTERNAL.withDescription("the server failed while ingesting (" + t.getClass().getSimpleName()
        + "): records not acknowledged may or may not be stored; sending them again is safe").asRuntimeException();
  }
}
