package io.tickvault.server.read;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.server.grpc.DatabaseCalls;
import io.tickvault.server.grpc.Errors;
import io.tickvault.server.grpc.MemoryBudget;
import io.tickvault.server.grpc.StreamResets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sends a server stream page by page at the pace of the client, holding a bounded amount of memory
 * however slowly it reads.
 *
 * <ul>
 *   <li>One page is sent while the call is ready ({@link ServerCallStreamObserver#isReady()}: less
 *       than {@link #ON_READY_THRESHOLD} bytes still queued for the client), and the next one is
 *       fetched meanwhile and kept until the call is ready again: PostgreSQL works while the network
 *       sends, and a slow client stops the reads with one page read ahead.
 *   <li>Every page fetched counts against the server-wide {@link MemoryBudget} until the call is
 *       ready again or ends; a stream that finds the budget full waits for room, holding no thread.
 *   <li>A stream whose client takes nothing of what was sent for {@link ReadStreams#stallTimeout()}
 *       is ended DEADLINE_EXCEEDED, its message naming the last page token surely sent, and reset
 *       {@link #RESET_GRACE} later if its client has not taken the rest by then: until a reset,
 *       gRPC keeps the bytes the client never took, and the status behind them.
 * </ul>
 *
 * <p>Every step runs on the call's own serialized executor ({@link DatabaseCalls#currentCallEvents()}):
 * the service method's, the on-ready and cancel handlers', and the wake-ups from the budget and the
 * stall check, so they never overlap and never run on a transport thread.
 *
 * @param <T> the page message
 */
public final class PagedStream<T> implements Runnable {
  /**
   * The call counts as ready while less than this is queued for the client. gRPC's default, 32 KiB,
   * would leave the network idle between pages for the hop to the next send; this much keeps it busy
   * while being small against a page, so a ready stream holds little the budget no longer counts.
   */
  public static final int ON_READY_THRESHOLD = 128 * 1024;
  /** How long a stream ended for a stall may still hand its client what was queued before it is reset. */
  public static final Duration RESET_GRACE = Duration.ofSeconds(5);
  /** gRPC's prefix of each message: a flag byte and the length. */
  private static final int FRAME_PREFIX = 5;

  /**
   * Fetches pages in order; blocking. A pager of a stream with no end (a subscription) may have
   * nothing yet: {@link #next()} returns null, and the stream asks again once {@link #whenMore}
   * runs its wake-up.
   */
  public interface Pager<T> {
    Page<T> next();

    /** Runs {@code wake} once, when {@link #next()} may have a page again (perhaps at once). */
    default void whenMore(Runnable wake) {
      throw new IllegalStateException("this pager always has a page");
    }

    /** The stream ended: a pending {@link #whenMore} need not run. */
    default void ended() {}
  }

  /**
   * One page: the message, its serialized size, the token a client resumes with after it ("" after
   * the last page), and whether it is the last.
   */
  public record Page<T>(T message, int bytes, String nextPageToken, boolean last) {}

  /** A page sent and not yet known to have left: where it ends in the stream's bytes, and its token. */
  private record Sent(long endOffset, String nextPageToken) {}

  private final ServerCallStreamObserver<T> call;
  private final Pager<T> pager;
  private final ReadStreams streams;
  private final Executor events;
  private final Runnable reset;
  private final String tokenField;
  // Touched only on the call's serialized executor.
  private final ArrayDeque<Sent> unconfirmed = new ArrayDeque<>();
  private Page<T> ahead;
  /** Bytes counted against the budget: the page ahead, and what was sent since the call was last ready. */
  private long held;
  private long sentBytes;
  private String surelySentToken = "";
  private long notReadySince = -1;
  private boolean stallCheckPending;
  private boolean waitingForRoom;
  private boolean done;

  private PagedStream(ServerCallStreamObserver<T> call, Pager<T> pager, ReadStreams streams, Executor events,
                      Runnable reset, String tokenField) {
    this.call = call;
    this.pager = pager;
    this.streams = streams;
    this.events = events;
    this.reset = reset;
    this.tokenField = tokenField;
  }

  /**
   * Makes the stream's pager, which checks the request, and starts sending; or answers with the
   * status of what the request got wrong (or the caller may not read). Call from the service
   * method, which may then return.
   */
  public static <T> void serve(StreamObserver<T> responses, Supplier<Pager<T>> checkedPager, ReadStreams streams) {
    serve(responses, checkedPager, streams, "next_page_token");
  }

  /** As {@link #serve(StreamObserver, Supplier, ReadStreams)}, for pages whose resume token is the field {@code tokenField}. */
  public static <T> void serve(StreamObserver<T> responses, Supplier<Pager<T>> checkedPager, ReadStreams streams,
                               String tokenField) {
    Pager<T> pager;
    try {
      pager = checkedPager.get();
    } catch (RuntimeException e) {
      responses.onError(Errors.toStatus(e));
      return;
    }
    ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) responses;
    Executor events = DatabaseCalls.currentCallEvents();
    if (events == null) {
      throw new IllegalStateException("a paged stream needs its call's executor: declare its RPC to run on DATABASE");
    }
    PagedStream<T> stream = new PagedStream<>(call, pager, streams, events, StreamResets.current(), tokenField);
    // With a handler set, a page sent after the client cancelled is dropped instead of throwing;
    // the loop sees the cancellation through isCancelled() and stops fetching.
    call.setOnCancelHandler(stream::ended);
    call.setOnCloseHandler(stream::ended);
    call.setOnReadyThreshold(ON_READY_THRESHOLD);
    call.setOnReadyHandler(stream);
    stream.run();
  }

  @Override
  public void run() {
    while (!done) {
      if (call.isCancelled()) {
        return; // the cancel handler gives the bytes back
      }
      boolean ready = call.isReady();
      if (ready) {
        drained();
      }
      if (ahead != null) {
        if (!ready) {
          awaitClient();
          return;
        }
        send();
        continue;
      }
      if (!streams.memory().hasRoom()) {
        awaitRoom();
        if (!ready) {
          awaitClient();
        }
        return;
      }
      if (!fetch()) {
        return;
      }
    }
  }

  /** Fetches the next page into {@link #ahead}; false when that failed and the call was ended, or there is none yet. */
  private boolean fetch() {
    Page<T> page;
    try {
      page = pager.next();
    } catch (RuntimeException e) {
      done = true;
      call.onError(Errors.toStatus(e));
      return false;
    }
    if (page == null) {
      pager.whenMore(() -> events.execute(this::run));
      return false;
    }
    ahead = page;
    streams.memory().take(page.bytes() + FRAME_PREFIX);
    held += page.bytes() + FRAME_PREFIX;
    return true;
  }

  private void send() {
    Page<T> page = ahead;
    ahead = null;
    sentBytes += page.bytes() + FRAME_PREFIX;
    unconfirmed.add(new Sent(sentBytes, page.nextPageToken()));
    call.onNext(page.message());
    if (page.last()) {
      done = true;
      call.onCompleted();
    }
  }

  /**
   * The call is ready: less than {@link #ON_READY_THRESHOLD} of what was sent is still queued, so
   * the pages sent up to that much before the end have left, and the budget gets back all that was
   * sent (what is still queued is less than the threshold).
   */
  private void drained() {
    notReadySince = -1;
    while (!unconfirmed.isEmpty() && unconfirmed.peek().endOffset() <= sentBytes - ON_READY_THRESHOLD) {
      surelySentToken = unconfirmed.poll().nextPageToken();
    }
    long sent = held - (ahead == null ? 0 : ahead.bytes() + FRAME_PREFIX);
    if (sent > 0) {
      held -= sent;
      streams.memory().release(sent);
    }
  }

  private void awaitRoom() {
    if (waitingForRoom) {
      return;
    }
    waitingForRoom = true;
    streams.memory().whenRoom(() -> events.execute(() -> {
      waitingForRoom = false;
      run();
    }));
  }

  /** The client has not taken what was sent: ends the stream if that lasts {@link ReadStreams#stallTimeout()}. */
  private void awaitClient() {
    if (notReadySince < 0) {
      notReadySince = streams.nanoTime().getAsLong();
    }
    if (!stallCheckPending) {
      scheduleStallCheck(streams.stallTimeout().toNanos());
    }
  }

  private void scheduleStallCheck(long delayNanos) {
    stallCheckPending = true;
    later(this::checkStall, delayNanos);
  }

  /** Runs {@code step} on the call's executor after {@code delayNanos}; never once the server is stopping. */
  private void later(Runnable step, long delayNanos) {
    try {
      streams.scheduler().schedule(() -> events.execute(step), delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the server is stopping: its calls are cancelled with it
    }
  }

  private void checkStall() {
    stallCheckPending = false;
    if (done || call.isCancelled()) {
      return;
    }
    if (call.isReady()) {
      run(); // its on-ready event is on its way; this one does as well
      return;
    }
    if (notReadySince < 0) {
      awaitClient();
      return;
    }
    long stalled = streams.nanoTime().getAsLong() - notReadySince;
    long left = streams.stallTimeout().toNanos() - stalled;
    if (left > 0) {
      scheduleStallCheck(left); // it took something since, and stopped again
      return;
    }
    stalled();
  }

  /** Ends the stream for a client that stopped taking what was sent, with where to resume. */
  private void stalled() {
    done = true;
    streams.stalled().run();
    if (ahead != null) {
      held -= ahead.bytes() + FRAME_PREFIX;
      streams.memory().release(ahead.bytes() + FRAME_PREFIX);
      ahead = null;
    }
    String resume = surelySentToken.isEmpty()
        ? "no page has surely reached it: resume with the last " + tokenField + " received, or from the start"
        : "resume with the last " + tokenField + " received; every page up to the one whose " + tokenField + " is "
            + surelySentToken + " was sent";
    call.onError(Status.DEADLINE_EXCEEDED.withDescription("the client took nothing of this read for "
        + streams.stallTimeout().toSeconds() + " s, so the server ended it: " + resume).asRuntimeException());
    // Its status waits behind the bytes the client does not take, and so do the buffers holding
    // them: unless the call ends first (the client took the rest), the stream is reset.
    later(() -> {
      if (held > 0) {
        reset.run();
      }
    }, RESET_GRACE.toNanos());
  }

  /** The call ended (completed, failed, or cancelled): gRPC holds none of its bytes any more. */
  private void ended() {
    done = true;
    pager.ended();
    ahead = null;
    streams.memory().release(held);
    held = 0;
  }
}
