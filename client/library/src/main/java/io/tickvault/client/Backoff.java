package io.tickvault.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * When a broken stream is tried again, the one rule of the stream writers and the readers.
 *
 * <p>A failure is retried when its status is UNAVAILABLE (a server restarting, PostgreSQL away) or
 * when the server said when to come back: a {@code google.rpc.RetryInfo} detail in the
 * {@code grpc-status-details-bin} trailer, which the server adds to UNAVAILABLE and to
 * RESOURCE_EXHAUSTED when it is overloaded. The wait is the larger of an exponential step (100 ms,
 * doubling up to 5 s) and the server's delay, plus up to half of it again at random, so that the
 * many workers a restart cut off at the same moment do not come back in step, and none comes back
 * sooner than the step or the server asked. Progress (a page, an acknowledgement) starts the steps
 * over; a failure {@code retryFor} after the first failure since the last progress is final. (Not
 * {@code retryFor} after the progress itself: a worker whose feed is quiet for minutes may see its
 * first failure long after its last acknowledgement, and deserves its retries all the same.)
 *
 * <p>Not thread-safe: its owner calls it from one thread or under its own lock.
 */
final class Backoff {
  static final Duration FIRST_STEP = Duration.ofMillis(100);
  static final Duration MAX_STEP = Duration.ofSeconds(5);

  private final Duration retryFor;
  private final LongSupplier nanoTime;
  private final DoubleSupplier random;
  private Duration step = FIRST_STEP;
  private int attempts;
  private long failingSinceNanos; // when the first failure since the last progress came

  /** With the system's monotonic clock and a random jitter. */
  Backoff(Duration retryFor) {
    this(retryFor, System::nanoTime, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param nanoTime a monotonic clock in nanoseconds, as {@link System#nanoTime()}
   * @param random numbers in [0, 1), the share of the extra half added to a wait
   */
  Backoff(Duration retryFor, LongSupplier nanoTime, DoubleSupplier random) {
    if (retryFor.isNegative()) {
      throw new IllegalArgumentException("retryFor must not be negative, got " + retryFor);
    }
    this.retryFor = retryFor;
    this.nanoTime = nanoTime;
    this.random = random;
  }

  /** Something got through: the next failure waits the first step, and has retryFor again. */
  void progress() {
    step = FIRST_STEP;
    attempts = 0;
  }

  /**
   * The wait before the next attempt after a call ended with this status and trailers, or null
   * when the failure is final: not retryable, or retryFor passed since the first failure without
   * progress.
   */
  Duration after(Status status, Metadata trailers) {
    Duration hint = retryDelay(status, trailers);
    if (status.getCode() != Status.Code.UNAVAILABLE && hint == null) {
      return null;
    }
    return next(hint);
  }

  /** As {@link #after(Status, Metadata)} for a failure seen as a Throwable (its trailers included). */
  Duration after(Throwable failure) {
    return after(Status.fromThrowable(failure), Status.trailersFromThrowable(failure));
  }

  /**
   * The wait after a failure its owner retries whatever the status (a read that brought no page
   * in time), or null once retryFor passed since the first failure without progress.
   */
  Duration afterRetryable() {
    return next(null);
  }

  /** Attempts since the last progress. */
  int attempts() {
    return attempts;
  }

  private Duration next(Duration hint) {
    long now = nanoTime.getAsLong();
    if (attempts == 0) {
      failingSinceNanos = now;
    }
    if (retryFor.isZero() || now - failingSinceNanos >= retryFor.toNanos()) {
      return null;
    }
    attempts++;
    Duration base = hint != null && hint.compareTo(step) > 0 ? hint : step;
    step = step.multipliedBy(2).compareTo(MAX_STEP) > 0 ? MAX_STEP : step.multipliedBy(2);
    return base.plusNanos((long) (base.toNanos() / 2.0 * random.getAsDouble()));
  }

  /** The delay of the status's RetryInfo detail, or null when it has none. */
  static Duration retryDelay(Status status, Metadata trailers) {
    if (trailers == null) {
      return null;
    }
    com.google.rpc.Status details;
    try {
      details = StatusProto.fromStatusAndTrailers(status, trailers);
    } catch (IllegalArgumentException e) {
      return null; // details of another code than the status's: not the server's hint
    }
    if (details == null) {
      return null;
    }
    for (Any detail : details.getDetailsList()) {
      if (detail.is(RetryInfo.class)) {
        try {
          com.google.protobuf.Duration delay = detail.unpack(RetryInfo.class).getRetryDelay();
          Duration wait = Duration.ofSeconds(delay.getSeconds(), delay.getNanos());
          return wait.isNegative() ? Duration.ZERO : wait;
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
      }
    }
    return null;
  }
}
