package io.tickvault.server.read;

import io.tickvault.server.grpc.MemoryBudget;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * What every {@link PagedStream} of the server shares: the budget of bytes all of them may hold,
 * how long a client may take nothing before its stream is ended, where the stall checks are
 * scheduled (they only hand the check to the stream's own executor), the clock they read, and
 * what counts an ended stall.
 */
public record ReadStreams(MemoryBudget memory, Duration stallTimeout, ScheduledExecutorService scheduler,
                          LongSupplier nanoTime, Runnable stalled) {
  public ReadStreams {
    if (stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("stallTimeout must be positive, got " + stallTimeout);
    }
  }
}
