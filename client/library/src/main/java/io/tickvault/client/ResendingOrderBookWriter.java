package io.tickvault.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.CoverageClaim;
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
 * <p>Coverage: after a batch, {@link #claimCoverage} says "every snapshot of this market in
 * {@code [from, until)} has been written"; the claim rides with the next request (no extra round
 * trip), and the server stores it once every snapshot written before it is committed. A call sent
 * again carries its claims again, each after the snapshots it followed, which the server takes as
 * the same claims.
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
      if (callSnapshots < 1 || callBytes < 1) {
        throw new IllegalArgumentException("callSnapshots and callBytes must be positive");
      }
      BatchingStreamWriter.checkMaxBatchBytes(maxBatchBytes);
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
   * written to this writer. {@code coverageStored} counts the coverage claims stored (a claim sent
   * again after a failed call counts again); {@code coverageRejections} lists the claims refused,
   * their indexes counting claims from the first one made on this writer.
   */
  public record Summary(long received, long inserted, long duplicates, long rejected, List<RejectedRecord> rejections,
                        int reconnects, long coverageStored, List<RejectedRecord> coverageRejections) {}

  /** A claim waiting for its call's summary, made after the first {@code afterSnapshots} pending snapshots. */
  private record PendingClaim(int afterSnapshots, CoverageClaim claim) {}

  private final Channel channel;
  private final Options options;
  private final Backoff backoff;
  private final List<OrderBookSnapshot> pending = new ArrayList<>();
  private final List<PendingClaim> pendingClaims = new ArrayList<>();
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
  private long acknowledgedClaims;
  private long coverageStored;
  private final List<RejectedRecord> coverageRejections = new ArrayList<>();

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
    int size = BatchingStreamWriter.checkSize(snapshot, "a snapshot"); // before it is pending: never sent
    pending.add(snapshot);
    pendingBytes += size;
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
    endCallWhenFull();
  }

  /**
   * Claims that every snapshot of {@code exchangeId/currencyPairNo} with a time in
   * {@code [fromTimeMs, untilTimeMs)} has been written to this writer. It goes with the next
   * request (with the snapshots written since the last one, or on its own at the next
   * {@link #flush}); the server stores it once every snapshot written before it is committed, never
   * if the call fails first (then it is sent again with its call). Claim up to the exchange time
   * the feed is known complete to, after each batch.
   */
  public void claimCoverage(int exchangeId, int currencyPairNo, long fromTimeMs, long untilTimeMs)
      throws InterruptedException {
    CoverageClaim claim = CoverageClaim.newBuilder().setExchangeId(exchangeId).setCurrencyPairNo(currencyPairNo)
        .setFromTimeMs(fromTimeMs).setUntilTimeMs(untilTimeMs).build();
    pendingClaims.add(new PendingClaim(pending.size(), claim));
    pendingBytes += BatchingStreamWriter.CLAIM_BYTES;
    if (call != null) {
      try {
        call.claimCoverage(exchangeId, currencyPairNo, fromTimeMs, untilTimeMs);
      } catch (StatusRuntimeException e) {
        failed(e);
        resendPending();
      }
    }
    endCallWhenFull();
  }

  /**
   * Sends the snapshots and claims gathered so far without ending the call (opening one if none
   * is open), so that a claim made when no snapshot follows is stored without waiting for more.
   */
  public void flush() throws InterruptedException {
    if (pending.isEmpty() && pendingClaims.isEmpty()) {
      return;
    }
    while (true) {
      try {
        if (call == null) {
          openAndSendPending();
        }
        call.flush();
        return;
      } catch (StatusRuntimeException e) {
        failed(e);
      }
    }
  }

  /** Sends what is left, waits for the last call's summary (resending if need be), returns the totals. */
  public Summary finish() throws InterruptedException {
    endCall();
    return new Summary(received, inserted, duplicates, rejected, List.copyOf(rejections), reconnects, coverageStored,
        List.copyOf(coverageRejections));
  }

  /**
   * For a caller that stops early (Ctrl-C): sends nothing more, ends the current call without the
   * snapshots not yet sent, and waits up to {@code timeout} for its summary, which acknowledges
   * exactly those sent. True when {@link #acknowledgedSnapshots()} is then exactly what this writer
   * got stored (or rejected); false when no summary came in time, or a call failed since the last
   * one (what it sent may be stored in part).
   */
  public boolean stop(Duration timeout) throws InterruptedException {
    if (pending.isEmpty() && pendingClaims.isEmpty()) {
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

  /** Ends the call once it holds {@link Options#callSnapshots} (claims count as snapshots) or {@link Options#callBytes}. */
  private void endCallWhenFull() throws InterruptedException {
    if (pending.size() + pendingClaims.size() >= options.callSnapshots() || pendingBytes >= options.callBytes()) {
      endCall();
    }
  }

  /** Ends the current call and counts its summary, sending its snapshots again until a call succeeds. */
  private void endCall() throws InterruptedException {
    while (!pending.isEmpty() || !pendingClaims.isEmpty()) {
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

  /** Opens a new call with every pending snapshot and claim; a failure meanwhile waits and tries again. */
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
    int nextClaim = 0;
    for (int i = 0; i <= pending.size(); i++) {
      for (; nextClaim < pendingClaims.size() && pendingClaims.get(nextClaim).afterSnapshots() == i; nextClaim++) {
        CoverageClaim c = pendingClaims.get(nextClaim).claim();
        call.claimCoverage(c.getExchangeId(), c.getCurrencyPairNo(), c.getFromTimeMs(), c.getUntilTimeMs());
      }
      if (i < pending.size()) {
        call.write(pending.get(i));
      }
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
    coverageStored += summary.getCoverageStored();
    for (RejectedRecord rejection : summary.getCoverageRejectionsList()) {
      coverageRejections.add(rejection.toBuilder().setIndex(acknowledgedClaims + rejection.getIndex()).build());
    }
    acknowledgedClaims += pendingClaims.size();
    pending.clear();
    pendingClaims.clear();
    pendingBytes = 0;
  }
}
