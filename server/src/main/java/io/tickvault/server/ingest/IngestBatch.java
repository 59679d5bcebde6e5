package io.tickvault.server.ingest;

import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.ingest.PendingRequests.Pending;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One batch of a call's requests on its way to the database: every record is checked when the
 * batch is made (on the call's drain task, while the batch before it is written), then its valid
 * records are written by the {@link GroupCommitter}, in one transaction with the batches of other
 * streams that wait at the same time; the outcome of each request is counted from what the sink
 * answered. The batch's valid coverage claims are stored when its outcomes are taken
 * ({@link #outcomes}).
 */
final class IngestBatch<R> {
  /** The rejections of one request: all counted, the first listed; and its claims, valid and refused. */
  private record Outcome(int count, Rejections.Capped listed, int validClaims, List<RejectedRecord> refusedClaims) {}

  private final StreamIngestor<R> ingestor;
  private final Scope scope;
  private final List<Pending<R>> requests;
  private final List<R> valid = new ArrayList<>();
  private final List<CoverageClaim> validClaims = new ArrayList<>();
  private final List<Outcome> rejections;
  private GroupCommitter.Ticket<R> ticket; // set by start()

  IngestBatch(StreamIngestor<R> ingestor, Scope scope, List<Pending<R>> requests) {
    this.ingestor = ingestor;
    this.scope = scope;
    this.requests = requests;
    this.rejections = new ArrayList<>(requests.size());
    validate();
  }

  List<Pending<R>> requests() {
    return requests;
  }

  /** Hands the valid records to the ingestor's {@link GroupCommitter}: written with other streams' batches. */
  void start() {
    ticket = ingestor.committer().submit(valid);
  }

  int validRecords() {
    return valid.size();
  }

  /** Completes once the batch's rows are in its transaction (its commit may still run), or its write failed. */
  CompletableFuture<Void> rowsIn() {
    return ticket.rowsIn;
  }

  /** Completes once the batch is committed, or its write failed. */
  CompletableFuture<boolean[]> written() {
    return ticket.written;
  }

  /**
   * Once {@link #written()} completed: stores the batch's valid claims and returns one outcome per
   * request, in order. Its call takes the outcomes of its batches in stream order, each after the
   * one before it committed, so a claim is stored only once every record sent before it is
   * committed; a failed store fails like the write.
   */
  List<RequestOutcome> outcomes() throws InterruptedException, ExecutionException {
    List<RequestOutcome> outcomes = count(ticket.written.get());
    if (!validClaims.isEmpty()) {
      try {
        ingestor.setup().claims().store(validClaims);
      } catch (RuntimeException e) {
        throw new ExecutionException(e);
      }
    }
    return outcomes;
  }

  /** Checks every record of the batch on its own. */
  private void validate() {
    RecordSink<R> sink = ingestor.setup().sink();
    for (Pending<R> pending : requests) {
      Rejections.Capped rejected = new Rejections.Capped(Integer.MAX_VALUE);
      int rejectedCount = 0;
      List<R> records = pending.records();
      for (int i = 0; i < records.size(); i++) {
        R record = records.get(i);
        // The scope first: a record of an exchange out of reach is not checked further, so its
        // rejection says nothing of that exchange's markets.
        int exchangeId = sink.exchangeId(record);
        RecordSink.Rejection rejection = scope.allowsExchange(exchangeId) ? sink.validate(record) : outOfScope(exchangeId);
        if (rejection == null) {
          valid.add(record);
        } else {
          rejectedCount++;
          rejected.add(Rejections.of(pending.firstRecordIndex() + i, sink.recordKey(record), rejection.code(),
              rejection.field(), rejection.reason()));
        }
      }
      rejections.add(validateClaims(pending, rejectedCount, rejected));
    }
  }

  private Outcome validateClaims(Pending<R> pending, int rejectedCount, Rejections.Capped rejected) {
    List<CoverageClaim> claims = pending.claims();
    if (claims.isEmpty()) {
      return new Outcome(rejectedCount, rejected, 0, List.of());
    }
    ClaimSink sink = ingestor.setup().claims();
    List<RejectedRecord> refused = new ArrayList<>();
    for (int i = 0; i < claims.size(); i++) {
      CoverageClaim claim = claims.get(i);
      RecordSink.Rejection rejection = scope.allowsExchange(claim.getExchangeId()) ? sink.validate(claim)
          : outOfScope(claim.getExchangeId());
      if (rejection == null) {
        validClaims.add(claim);
      } else {
        refused.add(Rejections.of(pending.firstClaimIndex() + i, sink.claimKey(claim), rejection.code(),
            rejection.field(), rejection.reason()));
      }
    }
    return new Outcome(rejectedCount, rejected, claims.size() - refused.size(), refused);
  }

  private static RecordSink.Rejection outOfScope(int exchangeId) {
    return new RecordSink.Rejection(RejectionReason.REJECTION_REASON_OUT_OF_SCOPE, "exchange_id",
        "exchange " + exchangeId + " is outside the scope of this token");
  }

  /** Counts each request's outcome from what the sink answered for the valid records. */
  private List<RequestOutcome> count(boolean[] inserted) {
    if (inserted.length != valid.size()) {
      throw new IllegalStateException("sink answered " + inserted.length + " results for " + valid.size() + " records");
    }

    List<RequestOutcome> outcomes = new ArrayList<>(requests.size());
    int position = 0;
    long totalInserted = 0;
    long totalRejected = 0;
    for (int b = 0; b < requests.size(); b++) {
      Pending<R> pending = requests.get(b);
      Outcome rejected = rejections.get(b);
      int validCount = pending.records().size() - rejected.count();
      int insertedCount = 0;
      for (int i = 0; i < validCount; i++) {
        if (inserted[position++]) {
          insertedCount++;
        }
      }
      totalInserted += insertedCount;
      totalRejected += rejected.count();
      outcomes.add(new RequestOutcome(pending.requestIndex(), pending.records().size(), insertedCount,
          validCount - insertedCount, rejected.count(), rejected.listed().list(), rejected.listed().truncated(),
          rejected.validClaims(), rejected.refusedClaims()));
    }
    ingestor.recordBatch(totalInserted, valid.size() - totalInserted, totalRejected);
    return outcomes;
  }
}
