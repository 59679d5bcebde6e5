package io.tickvault.server.grpc;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server-wide budget of bytes that streams of one kind may hold, shared by all of them: the
 * requests ingestion streams have read and not yet written, or the pages read streams have fetched
 * and not yet seen leave. A stream takes its next message only while the budget has room ({@link
 * #hasRoom()}); one that finds it full waits, holding no thread — it stops asking gRPC for
 * messages, or stops fetching pages — and is woken when another stream gives bytes back.
 *
 * <p>The bound is soft by at most one message per stream: what a stream already asked for is
 * counted when it comes, whatever the budget says then, because it cannot be sent back. Each user
 * says what that adds up to in the worst case.
 */
public final class MemoryBudget {
  private final long limitBytes;
  private final AtomicLong usedBytes = new AtomicLong();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  public MemoryBudget(long limitBytes) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("limitBytes must be positive, got " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /** The JVM's limit of direct memory ({@code -XX:MaxDirectMemorySize}, by default the maximum heap), in bytes. */
  public static long maxDirectMemory() {
    try {
      String option = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .getVMOption("MaxDirectMemorySize").getValue();
      long bytes = Long.parseLong(option);
      if (bytes > 0) {
        return bytes;
      }
    } catch (RuntimeException | LinkageError e) {
      // not a HotSpot JVM, or a runtime without jdk.management: the default, as much as the heap
    }
    return Runtime.getRuntime().maxMemory();
  }

  public boolean hasRoom() {
    return usedBytes.get() < limitBytes;
  }

  /** Counts bytes a stream now holds. */
  public void take(long bytes) {
    usedBytes.addAndGet(bytes);
  }

  /** Gives bytes back and wakes the streams that waited for room. */
  public void release(long bytes) {
    if (bytes == 0) {
      return;
    }
    usedBytes.addAndGet(-bytes);
    wakeWaiting();
  }

  /** Runs {@code resume} once the budget has room again (at once if it has room now); it must not block. */
  public void whenRoom(Runnable resume) {
    waiting.add(resume);
    wakeWaiting(); // the room may have come between the caller's check and the add
  }

  private void wakeWaiting() {
    Runnable next;
    while (hasRoom() && (next = waiting.poll()) != null) {
      next.run();
    }
  }

  public long usedBytes() {
    return usedBytes.get();
  }

  public long limitBytes() {
    return limitBytes;
  }
}
