package io.tickvault.server.ingest;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.server.grpc.Errors;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * One ingestion call in flight. The transport side ({@link #onNext}, {@link #onCompleted},
 * {@link #onError}, serialized by gRPC) only queues requests and asks for the next one while the
 * queue is short; a single drain task at a time, on the writer executor, takes whole requests off
 * the queue in batches of about {@link IngestLimits#maxBatchRecords()}, validates and writes them,
 * and is the only one that speaks on the response side, so responses need no further locking and
 * go out in request order.
 */
final class IngestCall<Q, R, S> implements StreamObserver<Q> {
  /** How the call answers: per request (acks) or once at the end (a summary). */
  interface Responder {
    void requestDone(RequestOutcome outcome);

    void streamDone();
  }

  /** A request read from the stream, or the error that ends the call at its place in the queue. */
  private record Pending<R>(long requestIndex, long firstRecordIndex, List<R> records, StatusRuntimeException failure) {}

  private final StreamIngestor<R> ingestor;
  private final ServerCallStreamObserver<S> call;
  private final Function<Q, List<R>> recordsOf;
  private final Responder responder;

  // Written only by the transport side (gRPC serializes those callbacks).
  private long nextRequestIndex;
  private long nextRecordIndex;

  private final Object lock = new Object();
  private final ArrayDeque<Pending<R>> queue = new ArrayDeque<>(); // guarded by lock
  private long bufferedRecords; // guarded by lock
  private boolean messageRequested; // guarded by lock: asked for one more message, not yet received
  private boolean stopReading; // guarded by lock: the call is ending, read nothing more
  private boolean halfClosed; // guarded by lock
  private boolean draining; // guarded by lock: a drain task is scheduled or running
  private boolean finished; // guarded by lock: answered, failed or cancelled

  private IngestCall(StreamIngestor<R> ingestor, ServerCallStreamObserver<S> call, Function<Q, List<R>> recordsOf,
                     Responder responder) {
    this.ingestor = ingestor;
    this.call = call;
    this.recordsOf = recordsOf;
    this.responder = responder;
  }

  static <Q, R, S> IngestCall<Q, R, S> start(StreamIngestor<R> ingestor, ServerCallStreamObserver<S> call,
                                             Function<Q, List<R>> recordsOf, Responder responder) {
    IngestCall<Q, R, S> ingest = new IngestCall<>(ingestor, call, recordsOf, responder);
    // Manual flow control: gRPC delivers a message only when asked for it, so a fast client is
    // held back by HTTP/2 flow control instead of filling the heap.
    call.disableAutoRequest();
    call.setOnCancelHandler(ingest::cancelled);
    // A client that does not read its acks stops us from reading its requests.
    call.setOnReadyHandler(ingest::requestMoreIfRoom);
    ingest.requestMoreIfRoom();
    return ingest;
  }

  @Override
  public void onNext(Q request) {
    List<R> records = recordsOf.apply(request);
    long requestIndex = nextRequestIndex++;
    long firstRecordIndex = nextRecordIndex;
    nextRecordIndex += records.size();
    int max = ingestor.limits().maxRecordsPerRequest();
    if (records.size() > max) {
      StatusRuntimeException tooMany = Status.RESOURCE_EXHAUSTED
          .withDescription("request " + requestIndex + " has " + records.size() + " " + ingestor.recordNoun()
              + ", at most " + max + " are allowed per request")
          .asRuntimeException();
      enqueue(new Pending<>(requestIndex, firstRecordIndex, List.of(), tooMany));
      return;
    }
    enqueue(new Pending<>(requestIndex, firstRecordIndex, records, null));
  }

  @Override
  public void onCompleted() {
    synchronized (lock) {
      halfClosed = true;
      scheduleDrainLocked();
    }
  }

  @Override
  public void onError(Throwable t) {
    cancelled(); // the client went away: nothing more to answer
  }

  private void cancelled() {
    synchronized (lock) {
      finished = true;
      stopReading = true;
      queue.clear();
      bufferedRecords = 0;
    }
  }

  private void enqueue(Pending<R> pending) {
    synchronized (lock) {
      messageRequested = false;
      if (finished) {
        return;
      }
      queue.add(pending);
      bufferedRecords += pending.records().size();
      if (pending.failure() != null) {
        stopReading = true;
      }
      scheduleDrainLocked();
    }
    requestMoreIfRoom();
  }

  private void requestMoreIfRoom() {
    synchronized (lock) {
      if (messageRequested || stopReading || halfClosed || finished
          || bufferedRecords >= ingestor.limits().maxBufferedRecords() || !call.isReady()) {
        return;
      }
      messageRequested = true;
    }
    call.request(1);
  }

  private void scheduleDrainLocked() {
    if (draining || finished) {
      return;
    }
    draining = true;
    try {
      ingestor.writers().execute(this::drain);
    } catch (RejectedExecutionException e) {
      // Only reachable when no drain runs, so answering here cannot race with one.
      draining = false;
      finished = true;
      stopReading = true;
      queue.clear();
      call.onError(Status.RESOURCE_EXHAUSTED.withDescription("server busy: too many calls in flight, retry later")
          .asRuntimeException());
    }
  }

  private void drain() {
    while (true) {
      List<Pending<R>> batch = new ArrayList<>();
      StatusRuntimeException failure = null;
      boolean complete = false;
      synchronized (lock) {
        if (finished) {
          draining = false;
          return;
        }
        int records = 0;
        while (!queue.isEmpty() && queue.peek().failure() == null && records < ingestor.limits().maxBatchRecords()) {
          Pending<R> next = queue.poll();
          records += next.records().size();
          batch.add(next);
        }
        if (batch.isEmpty()) {
          if (!queue.isEmpty()) {
            failure = queue.poll().failure();
          } else if (halfClosed) {
            complete = true;
          } else {
            draining = false;
            return;
          }
          finished = true;
          stopReading = true;
          queue.clear();
          draining = false;
        }
      }
      if (failure != null) {
        call.onError(failure);
        return;
      }
      if (complete) {
        responder.streamDone();
        return;
      }

      List<RequestOutcome> outcomes;
      try {
        outcomes = write(batch);
      } catch (RuntimeException e) {
        fail(Errors.toStatus(e));
        return;
      }
      for (RequestOutcome outcome : outcomes) {
        responder.requestDone(outcome);
      }
      synchronized (lock) {
        for (Pending<R> pending : batch) {
          bufferedRecords -= pending.records().size();
        }
      }
      requestMoreIfRoom();
    }
  }

  private void fail(StatusRuntimeException status) {
    synchronized (lock) {
      if (finished) {
        draining = false;
        return;
      }
      finished = true;
      stopReading = true;
      queue.clear();
      draining = false;
    }
    call.onError(status);
  }

  /** Validates every record of the batch, writes the valid ones in one transaction, counts. */
  private List<RequestOutcome> write(List<Pending<R>> batch) {
    RecordSink<R> sink = ingestor.sink();
    List<R> valid = new ArrayList<>();
    List<List<RejectedRecord>> rejections = new ArrayList<>(batch.size());
    for (Pending<R> pending : batch) {
      List<RejectedRecord> rejected = new ArrayList<>(0);
      List<R> records = pending.records();
      for (int i = 0; i < records.size(); i++) {
        R record = records.get(i);
        RecordSink.Rejection rejection = sink.validate(record);
        if (rejection == null) {
          valid.add(record);
        } else {
          rejected.add(RejectedRecord.newBuilder()
              .setIndex(pending.firstRecordIndex() + i)
              .setRecordKey(sink.recordKey(record))
              .setCode(rejection.code())
              .setField(rejection.field())
              .setReason(rejection.reason())
              .build());
        }
      }
      rejections.add(rejected);
    }
    boolean[] inserted = valid.isEmpty() ? new boolean[0] : sink.write(valid);
    if (inserted.length != valid.size()) {
      throw new IllegalStateException("sink answered " + inserted.length + " results for " + valid.size() + " records");
    }

    List<RequestOutcome> outcomes = new ArrayList<>(batch.size());
    int position = 0;
    long totalInserted = 0;
    long totalRejected = 0;
    for (int b = 0; b < batch.size(); b++) {
      Pending<R> pending = batch.get(b);
      List<RejectedRecord> rejected = rejections.get(b);
      int validCount = pending.records().size() - rejected.size();
      int insertedCount = 0;
      for (int i = 0; i < validCount; i++) {
        if (inserted[position++]) {
          insertedCount++;
        }
      }
      totalInserted += insertedCount;
      totalRejected += rejected.size();
      outcomes.add(new RequestOutcome(pending.requestIndex(), pending.records().size(), insertedCount,
          validCount - insertedCount, List.copyOf(rejected)));
    }
    ingestor.recordBatch(totalInserted, valid.size() - totalInserted, totalRejected);
    return outcomes;
  }
}
