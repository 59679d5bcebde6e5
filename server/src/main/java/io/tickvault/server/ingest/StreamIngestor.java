package io.tickvault.server.ingest;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.server.auth.Scope;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.server.grpc.MemoryBudget;
import io.tickvault.server.metrics.IngestMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The shared machinery of every ingestion RPC, for one kind of record: it reads a stream of
 * requests with manual flow control, coalesces them into large batches, validates each record and
 * writes the valid ones through the {@link RecordSink} on a writer (never on a transport thread),
 * together with the batches of its other streams ({@link GroupCommitter}), and answers with exact
 * counts either once per request or once at the end.
 *
 * <p>Typical use inside a gRPC service method:
 * <pre>{@code
 * return trades.acknowledgeEach(responses, StreamTradesRequest::getTradesList, TradeAcks::of);
 * }</pre>
 *
 * @param <R> the record's message type
 */
public final class StreamIngestor<R> {
  /**
   * What every call of one ingestor works with: the sink (its writes timed), the claims, where
   * batches are written, and the bounds it keeps to.
   */
  record Setup<R>(RecordSink<R> sink, ClaimSink claims, Executor writers, IngestLimits limits, MemoryBudget memory,
                  IdleTimeout idleTimeout, String recordNoun) {}

  private final Setup<R> setup;
  private final GroupCommitter<R> committer;
  private final IngestMetrics metrics;
  private final IngestMetrics.Kind kind;
  private final Set<IngestCall<?, ?, ?>> live = ConcurrentHashMap.newKeySet();

  /** An ingestor whose streams take no coverage claims ({@link ClaimSink#NONE}). */
  public StreamIngestor(RecordSink<R> sink, Executor writers, IngestLimits limits, MemoryBudget memory,
                        IdleTimeout idleTimeout, String recordNoun, IngestMetrics metrics, IngestMetrics.Kind kind) {
    this(sink, ClaimSink.NONE, writers, limits, memory, idleTimeout, recordNoun, metrics, kind);
  }

  /**
   * @param claims the coverage claims of this kind of stream
   * @param writers where batches are validated and written: a bounded executor of blocking threads
   * @param memory the server-wide budget of buffered bytes, shared by every ingestor
   * @param idleTimeout when a stream that sends nothing is ended
   * @param recordNoun the plural name of the records in error messages ("trades", "snapshots")
   */
  public StreamIngestor(RecordSink<R> sink, ClaimSink claims, Executor writers, IngestLimits limits, MemoryBudget memory,
                        IdleTimeout idleTimeout, String recordNoun, IngestMetrics metrics, IngestMetrics.Kind kind) {
    this.setup = new Setup<>(new TimedSink<>(sink, metrics, kind), claims, writers, limits, memory, idleTimeout, recordNoun);
    this.committer = new GroupCommitter<>(setup.sink(), writers, limits.maxBatchRecords());
    this.metrics = metrics;
    this.kind = kind;
  }

  /**
   * A bidirectional call: one response per request, in request order, each sent once that
   * request's records are committed; the call completes after the client half-closes and every
   * request is answered.
   */
  public <Q, S> StreamObserver<Q> acknowledgeEach(Scope scope, StreamObserver<S> responses, Function<Q, List<R>> recordsOf,
                                                  Function<RequestOutcome, S> ack) {
    return acknowledgeEach(scope, responses, recordsOf, request -> List.of(), ack);
  }

  /** {@link #acknowledgeEach(Scope, StreamObserver, Function, Function)} for requests that carry coverage claims. */
  public <Q, S> StreamObserver<Q> acknowledgeEach(Scope scope, StreamObserver<S> responses, Function<Q, List<R>> recordsOf,
                                                  Function<Q, List<CoverageClaim>> claimsOf, Function<RequestOutcome, S> ack) {
    ServerCallStreamObserver<S> call = (ServerCallStreamObserver<S>) responses;
    return track(IngestCall.start(this, call, scope, recordsOf, claimsOf, new IngestCall.Responder() {
      @Override
      public void requestDone(RequestOutcome outcome) {
        call.onNext(ack.apply(outcome));
      }

      @Override
      public void streamDone() {
        call.onCompleted();
      }
    }));
  }

  /**
   * A client-streaming call: one response after the client half-closes, once every record counted
   * in it is committed.
   */
  public <Q, S> StreamObserver<Q> summarize(Scope scope, StreamObserver<S> responses, Function<Q, List<R>> recordsOf,
                                            Function<IngestSummary, S> summary) {
    return summarize(scope, responses, recordsOf, request -> List.of(), summary);
  }

  /** {@link #summarize(Scope, StreamObserver, Function, Function)} for requests that carry coverage claims. */
  public <Q, S> StreamObserver<Q> summarize(Scope scope, StreamObserver<S> responses, Function<Q, List<R>> recordsOf,
                                            Function<Q, List<CoverageClaim>> claimsOf, Function<IngestSummary, S> summary) {
    ServerCallStreamObserver<S> call = (ServerCallStreamObserver<S>) responses;
    return track(IngestCall.start(this, call, scope, recordsOf, claimsOf, new IngestCall.Responder() {
      private final SummaryBuilder totals = new SummaryBuilder(setup.limits().maxSummaryRejections());

      @Override
      public void requestDone(RequestOutcome outcome) {
        totals.add(outcome);
      }

      @Override
      public void streamDone() {
        call.onNext(summary.apply(totals.build()));
        call.onCompleted();
      }
    }));
  }

  /**
   * For a graceful stop, after the server stopped taking new calls: every open call reads no
   * more, commits and acknowledges what it read, then ends with UNAVAILABLE so that its client
   * resends the rest elsewhere or after the restart, well within the shutdown grace period.
   */
  public void endStreams() {
    for (IngestCall<?, ?, ?> call : live) {
      call.endForShutdown();
    }
  }

  private <Q> StreamObserver<Q> track(IngestCall<Q, R, ?> call) {
    live.removeIf(IngestCall::isFinished); // the set holds the calls in flight, not every call ever made
    live.add(call);
    return call;
  }

  GroupCommitter<R> committer() {
    return committer;
  }

  Setup<R> setup() {
    return setup;
  }

  /** Counts one committed batch in the server's metrics. */
  void recordBatch(long inserted, long duplicates, long rejected) {
    metrics.recorded(kind, inserted, duplicates, rejected);
  }

  private static final class SummaryBuilder {
    private long received;
    private long inserted;
    private long duplicates;
    private long rejected;
    private final Rejections.Capped rejections;
    private long coverageStored;
    private final List<RejectedRecord> coverageRejections = new ArrayList<>();

    SummaryBuilder(int maxRejections) {
      this.rejections = new Rejections.Capped(maxRejections);
    }

    void add(RequestOutcome outcome) {
      received += outcome.received();
      inserted += outcome.inserted();
      duplicates += outcome.duplicates();
      rejected += outcome.rejected();
      rejections.addAll(outcome.rejections(), outcome.rejectionsTruncated());
      coverageStored += outcome.coverageStored();
      int room = IngestSummary.MAX_COVERAGE_REJECTIONS - coverageRejections.size();
      coverageRejections.addAll(outcome.coverageRejections().subList(0, Math.min(room, outcome.coverageRejections().size())));
    }

    IngestSummary build() {
      return new IngestSummary(received, inserted, duplicates, rejected, rejections.list(), rejections.truncated(),
          coverageStored, coverageRejections);
    }
  }
}
