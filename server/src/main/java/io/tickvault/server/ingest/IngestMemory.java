package io.tickvault.server.ingest;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget of bytes that ingestion streams may hold: the serialized size of every
 * request read but not yet written, across all streams and record kinds. A stream reads its next
 * request only while the budget has room ({@link #hasRoom()}); one that finds it full waits (it
 * stops asking gRPC for messages, so HTTP/2 flow control holds its client back) and is woken when
 * another stream gives bytes back.
 *
 * <p>The bound is soft by at most one message per stream: a request already asked for is counted
 * when it arrives, whatever the budget says then, because a message gRPC delivered cannot be sent
 * back. With 4 MiB messages, {@code limit + streams × 4 MiB} is the worst case; a per-stream limit
 * ({@link IngestLimits#maxBufferedBytes()}) and the per-connection stream limit bound the rest.
 */
public final class IngestMemory {
  private final long limitBytes;
  private final AtomicLong usedBytes = new AtomicLong();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  public IngestMemory(long limitBytes) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("limitBytes must be positive, got " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /** The default budget: an eighth of the maximum heap (a parsed record takes several times its serialized size). */
  public static IngestMemory ofHeap() {
    return new IngestMemory(Runtime.getRuntime().maxMemory() / 8);
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
    usedBytes.addAndGet(-bytes);
    wakeWaiting();
  }

  /** Runs {@code resume} once the budget has room again (at once if it has room now). */
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
