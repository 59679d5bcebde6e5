package io.tickvault.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.stub.ClientCalls;
import io.tickvault.api.v1.IngestOrderBooksRequest;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;

/**
 * Streams order book snapshots to {@code tickvault.v1.IngestService/IngestOrderBooks}: snapshots
 * are gathered into requests (by count and by size, so deep books never hit the server's 4 MiB
 * message limit) and sent only while the call is ready, then {@link #finish()} returns the
 * server's summary. Needs only a {@link Channel}; put credentials on the channel or in the
 * {@link CallOptions}.
 *
 * <pre>{@code
 * try (OrderBookStreamWriter writer = OrderBookStreamWriter.open(channel)) {
 *   for (OrderBookSnapshot snapshot : snapshots) {
 *     writer.write(snapshot);
 *   }
 *   IngestOrderBooksResponse summary = writer.finish();
 *   // summary.getInserted() + getDuplicates() + getRejected() == snapshots written
 * }
 * }</pre>
 *
 * <p>Replaying is safe: a snapshot whose (exchange_id, currency_pair_no, server_time_ms,
 * sequence_id) is already stored counts as a duplicate and its first write stands. This is one
 * call, and it does not resend by itself: IngestOrderBooks acknowledges nothing before its
 * summary. {@link ResendingOrderBookWriter} ({@code client.openOrderBookWriter()}) keeps each
 * call's snapshots and sends them again when a call fails with UNAVAILABLE (what was committed
 * then counts as duplicates).
 *
 * <p>Coverage: {@link #claimCoverage} after a batch says "every snapshot of this market in
 * {@code [from, until)} has been written"; it rides with the next request, and the summary's
 * {@code coverage_stored} counts the claims stored. Not thread-safe: one thread writes.
 */
public final class OrderBookStreamWriter
    extends BatchingStreamWriter<OrderBookSnapshot, IngestOrderBooksRequest, IngestOrderBooksResponse> {
  /** Snapshots per request unless told otherwise. */
  public static final int DEFAULT_MAX_BATCH_SNAPSHOTS = 500;

  private OrderBookStreamWriter(Channel channel, CallOptions options, int maxBatchSnapshots, int maxBatchBytes) {
    super(responses -> ClientCalls.asyncClientStreamingCall(
            channel.newCall(IngestServiceGrpc.getIngestOrderBooksMethod(), options), responses),
        (batch, claims) -> IngestOrderBooksRequest.newBuilder().addAllSnapshots(batch).addAllCoverage(claims).build(),
        maxBatchSnapshots, maxBatchBytes);
  }

  /** Opens a call with default options and batch sizes. */
  public static OrderBookStreamWriter open(Channel channel) {
    return open(channel, CallOptions.DEFAULT, DEFAULT_MAX_BATCH_SNAPSHOTS, DEFAULT_MAX_BATCH_BYTES);
  }

  /**
   * Opens a call.
   *
   * @param options deadline, call credentials, compression...
   * @param maxBatchSnapshots at most this many snapshots per request (the server takes 10,000)
   * @param maxBatchBytes a request is sent before it grows past about this many bytes
   */
  public static OrderBookStreamWriter open(Channel channel, CallOptions options, int maxBatchSnapshots, int maxBatchBytes) {
    return new OrderBookStreamWriter(channel, options, maxBatchSnapshots, maxBatchBytes);
  }
}
