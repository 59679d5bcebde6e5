package io.tickvault.server.read;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget of bytes that read streams may hold: pages fetched from PostgreSQL and not
 * yet seen to leave for their clients, across all streams. gRPC copies a page into Netty's direct
 * buffers as it is sent, where it stays until the client's flow control lets it out: this budget is
 * what keeps clients that do not read from filling the direct memory. A stream fetches its next
 * page only while the budget has room ({@link #hasRoom()}); one that finds it full waits, holding
 * no thread, and is woken when another stream gives bytes back.
 *
 * <p>The bound is soft by at most one page per stream: a page is counted once fetched, whatever the
 * budget says by then. Bytes a stream sent are given back once gRPC says the stream is ready again
 * (less than {@link PagedStream#ON_READY_THRESHOLD} still queued), or when the call ends.
 */
public final class ReadMemory {
  private final long limitBytes;
  private final AtomicLong usedBytes = new AtomicLong();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  public ReadMemory(long limitBytes) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("limitBytes must be positive, got " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /**
   * The default budget: a quarter of the direct memory the JVM may reserve ({@code
   * -XX:MaxDirectMemorySize}, by default as much as the maximum heap). Netty takes its buffers from
   * pools in chunks, and ingestion and other calls need direct buffers too: a quarter leaves them room.
   */
  public static long defaultLimit() {
    return maxDirectMemory() / 4;
  }

  /** The JVM's limit of direct memory, in bytes. */
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
  void take(long bytes) {
    usedBytes.addAndGet(bytes);
  }

  /** Gives bytes back and wakes the streams that waited for room. */
  void release(long bytes) {
    if (bytes == 0) {
      return;
    }
    usedBytes.addAndGet(-bytes);
    wakeWaiting();
  }

  /** Runs {@code resume} once the budget has room again (at once if it has room now); it must not block. */
  void whenRoom(Runnable resume) {
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
