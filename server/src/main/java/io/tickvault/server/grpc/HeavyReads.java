package io.tickvault.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the RPCs declared {@link RpcRule.Cost#HEAVY} run: threads of their own, as many as the
 * share of the connection pool they may hold, so that however many expensive reads come in, the
 * database executor, the rest of the pool and the health check's own connection stay free for
 * cheap calls and ingestion.
 *
 * <ul>
 *   <li>At most {@code threads} events of heavy calls run at once, each on at most one connection
 *       at a time: a read fetching a page, a GetCandles running its query. A stream waiting for its
 *       client between pages holds neither.
 *   <li>A heavy call waits for its turn (until its method runs) without a thread or a connection;
 *       at most {@code maxWaiting} calls wait so. One more is answered RESOURCE_EXHAUSTED with RetryInfo at
 *       once, not after the pool's connection timeout, and never as UNAVAILABLE: PostgreSQL is fine,
 *       the server is busy.
 * </ul>
 */
public final class HeavyReads {
  private final Executor threads;
  private final int threadCount;
  private final int maxWaiting;
  private final AtomicInteger waiting = new AtomicInteger();

  /**
   * @param threads a fixed pool of {@code threadCount} threads that run nothing else
   * @param maxWaiting heavy calls that may wait for their turn at once
   */
  public HeavyReads(Executor threads, int threadCount, int maxWaiting) {
    if (threadCount < 1 || maxWaiting < 0) {
      throw new IllegalArgumentException("threadCount must be positive and maxWaiting not negative, got "
          + threadCount + " and " + maxWaiting);
    }
    this.threads = threads;
    this.threadCount = threadCount;
    this.maxWaiting = maxWaiting;
  }

  /** A heavy read's share: half the pool's connections, at least one. */
  public static int shareOf(int poolSize) {
    return Math.max(1, poolSize / 2);
  }

  Executor executor() {
    return threads;
  }

  /** Counts a new call as waiting for its turn; false when {@code maxWaiting} already do. */
  boolean tryWait() {
    while (true) {
      int now = waiting.get();
      if (now >= maxWaiting) {
        return false;
      }
      if (waiting.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** A call counted by {@link #tryWait()} got its turn (or ended before it). */
  void started() {
    waiting.decrementAndGet();
  }

  /** The answer to a heavy call past the bound. */
  StatusRuntimeException busy() {
    return Errors.retryLater(Status.Code.RESOURCE_EXHAUSTED, "server busy: " + threadCount
        + " reads over a range are running and " + maxWaiting + " waiting, retry later");
  }

  public int threadCount() {
    return threadCount;
  }

  public int maxWaiting() {
    return maxWaiting;
  }
}
