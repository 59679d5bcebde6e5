package io.tickvault.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.RejectedRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams order book snapshots to {@code tickvault.v1.IngestService/IngestOrderBooks} for as long
 * as a worker runs, and survives the server or its database going away.
 *
 * <p>IngestOrderBooks acknowledges nothing before its summary, so the writer sends the snapshots
 * in calls of at most {@link Options#callSnapshots} (or about {@link Options#callBytes}), each an
 * {@link OrderBookStreamWriter}, and keeps a call's snapshots until its summary comes. When a call
 * fails with UNAVAILABLE, or with a status whose {@code RetryInfo} says when to come back, the
 * same snapshots are sent again on a new call after a backoff ({@link Backoff}), for up to
 * {@link Options#retryFor}. The snapshots the failed call had committed come back as duplicates:
 * the totals stay exact (every snapshot written is counted once) but a retry moves some inserts
 * into duplicates. Any other status is final and is thrown by the next {@link #write} or
 * {@link #finish}.
 *
 * <pre>{@code
 * try (ResendingOrderBookWriter writer = client.openOrderBookWriter()) {
 *   for (OrderBookSnapshot snapshot : snapshots) {
 *     writer.write(snapshot);
 *   }
 *   ResendingOrderBookWriter.Summary summary = writer.finish();
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one thread writes.
 */
public final class ResendingOrderBookWriter implements AutoCloseable {
  /**
   * How the writer batches, splits into calls and retries.
   *
   * @param maxBatchSnapshots snapshots per request (the server takes at most 10,000)
   * @param maxBatchBytes a request is sent before it grows past about this many bytes
   * @param callSnapshots snapshots per call: what is kept for resending, and sent again after a failure
   * @param callBytes a call is ended before its snapshots pass about this many bytes
   * @param retryFor how long to keep calling again after a failure without a summary before giving up
   * @param callOptions deadline-free options for each call: credentials, compression...
   */
  public record Options(int maxBatchSnapshots, int maxBatchBytes, int callSnapshots, long callBytes, Duration retryFor,
                        CallOptions callOptions) {
    public static final Options DEFAULT = new Options(OrderBookStreamWriter.DEFAULT_MAX_BATCH_SNAPSHOTS,
        BatchingStreamWriter.DEFAULT_MAX_BATCH_BYTES, 5_000, 64L * 1024 * 1024, Duration.ofMinutes(2), CallOptions.DEFAULT);

    public Options {
      if (maxBatchSnapshots < 1 || maxBatchSnapshots > 10_000) {
        throw new IllegalArgumentException("maxBatchSnapshots must be 1 to 10000, got " + maxBatchSnapshots);
      }
      if (maxBatchBytes < 1 || callSnapshots < 1 || callBytes < 1) {
        throw new IllegalArgumentException("maxBatchBytes, callSnapshots and callBytes must be positive");
      }
    }

    public Options withMaxBatchSnapshots(int snapshots) {
      return new Options(snapshots, maxBatchBytes, callSnapshots, callBytes, retryFor, callOptions);
    }

    public Options withCallSnapshots(int snapshots) {
      return new Options(maxBatchSnapshots, maxBatchBytes, snapshots, callBytes, retryFor, callOptions);
    }

    public Options withRetryFor(Duration duration) {
      return new Options(maxBatchSnapshots, maxBatchBytes, callSnapshots, callBytes, duration, callOptions);
    }

    public Options withCallOptions(CallOptions options) {
      return new Options(maxBatchSnapshots, maxBatchBytes, callSnapshots, callBytes, retryFor, options);
    }
  }

  /**
   * What the server made of every snapshot written: {@code received = inserted + duplicates +
   * rejected}, as the server counted them. Rejection indexes count snapshots from the first one
   * written to this writer.
   */
  public record Summary(long received, long inserted, long duplicates, long rejected, List<RejectedRecord> rejections,
                        int reconnects) {}

  private final Channel channel;
  private final Options options;
  private final Backoff backoff;
  private final List<OrderBookSnapshot> pending = new ArrayList<>();
  private long pendingBytes;
  private OrderBookStreamWriter call; // null between calls and after a failure
  private ReconnectListener reconnectListener = (attempt, status, wait) -> { };

  private long acknowledged;
  private long received;
  private long inserted;
  private long duplicates;
  private long rejected;
  private final List<RejectedRecord> rejections = new ArrayList<>();
  private int reconnects;

  private ResendingOrderBookWriter(Channel channel, Options options) {
    this.channel = channel;
    this.options = options;
    this.backoff = new Backoff(options.retryFor());
  }

  /** A writer with {@link Options#DEFAULT}; it opens its first call with the first snapshot. */
  public static ResendingOrderBookWriter open(Channel channel) {
    return open(channel, Options.DEFAULT);
  }

  public static ResendingOrderBookWriter open(Channel channel, Options options) {
    return new ResendingOrderBookWriter(channel, options);
  }

  /**
   * Adds a snapshot; sends a request once a batch is full, waiting while the server is behind,
   * and ends the call (waiting for its summary) once it holds {@link Options#callSnapshots}.
   */
  public void write(OrderBookSnapshot snapshot) throws InterruptedException {
    pending.add(snapshot);
    pendingBytes += snapshot.getSerializedSize();
    if (call == null) {
      resendPending();
    } else {
      try {
        call.write(snapshot);
      } catch (StatusRuntimeException e) {
        failed(e);
        resendPending();
      }
    }
    if (pending.size() >= options.callSnapshots() || pendingBytes >= options.callBytes()) {
      endCall();
    }
  }

  /** Sends what is left, waits for the last call's summary (resending if need be), returns the totals. */
  public Summary finish() throws InterruptedException {
    endCall();
    return new Summary(received, inserted, duplicates, rejected, List.copyOf(rejections), reconnects);
  }

  /**
   * For a caller that stops early (Ctrl-C): sends nothing more, ends the current call without the
   * snapshots not yet sent, and waits up to {@code timeout} for its summary, which acknowledges
   * exactly those sent. True when {@link #acknowledgedSnapshots()} is then exactly what this writer
   * got stored (or rejected); false when no summary came in time, or a call failed since the last
   * one (what it sent may be stored in part).
   */
  public boolean stop(Duration timeout) throws InterruptedException {
    if (pending.isEmpty()) {
      return true;
    }
    boolean failedSinceLastSummary = backoff.attempts() > 0;
    if (call == null) {
      return false;
    }
    IngestOrderBooksResponse summary = call.finishSent(timeout);
    if (summary == null) {
      close();
      return false;
    }
    call = null;
    count(summary, summary.getReceived());
    return !failedSinceLastSummary;
  }

  /** Snapshots whose call has answered with its summary: each of them is committed or rejected. */
  public long acknowledgedSnapshots() {
    return acknowledged;
  }

  /** Calls opened again after a retryable failure so far. */
  public int reconnects() {
    return reconnects;
  }

  /** Sets who is told of each reconnect (on the writing thread); replaces the previous listener. */
  public void onReconnect(ReconnectListener listener) {
    this.reconnectListener = listener;
  }

  /** Cancels the current call, if any: its snapshots may or may not be stored. */
  @Override
  public void close() {
    if (call != null) {
      call.close();
      call = null;
    }
  }

  /** Ends the current call and counts its summary, sending its snapshots again until a call succeeds. */
  private void endCall() throws InterruptedException {
    while (!pending.isEmpty()) {
      try {
        if (call == null) {
          openAndSendPending();
        }
        IngestOrderBooksResponse summary = call.finish();
        call = null;
        count(summary, pending.size());
        backoff.progress();
        return;
      } catch (StatusRuntimeException e) {
        failed(e);
      }
    }
  }

  /** Opens a new call with every pending snapshot; a failure meanwhile waits and tries again. */
  private void resendPending() throws InterruptedException {
    while (true) {
      try {
        openAndSendPending();
        return;
      } catch (StatusRuntimeException e) {
        failed(e);
      }
    }
  }

  private void openAndSendPending() throws InterruptedException {
    call = OrderBookStreamWriter.open(channel, options.callOptions(), options.maxBatchSnapshots(), options.maxBatchBytes());
    for (OrderBookSnapshot snapshot : pending) {
      call.write(snapshot);
    }
  }

  /** Drops the failed call, then waits the backoff; rethrows the failure when it is final. */
  private void failed(StatusRuntimeException failure) throws InterruptedException {
    close();
    Duration wait = backoff.after(failure);
    if (wait == null) {
      throw failure;
    }
    reconnects++;
    reconnectListener.reconnecting(backoff.attempts(), failure.getStatus(), wait);
    Thread.sleep(wait.toMillis(), wait.toNanosPart() % 1_000_000); // a backoff before calling again, not a condition
  }

  /** Counts a call's summary, which acknowledges the first {@code sent} pending snapshots (all, but after stop()). */
  private void count(IngestOrderBooksResponse summary, long sent) {
    for (RejectedRecord rejection : summary.getRejectionsList()) {
      rejections.add(rejection.toBuilder().setIndex(acknowledged + rejection.getIndex()).build());
    }
    received += summary.getReceived();
    inserted += summary.getInserted();
    duplicates += summary.getDuplicates();
    rejected += summary.getRejected();
    acknowledged += sent;
    pending.clear();
    pendingBytes = 0;
  }
}
