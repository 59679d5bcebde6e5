package io.tickvault.server.ingest;

import com.google.protobuf.MessageLite;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.server.grpc.Errors;
import io.tickvault.server.grpc.RequestParsing;
import io.tickvault.server.logging.RateLimitedLog;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * One ingestion call in flight. The transport side ({@link #onNext}, {@link #onCompleted},
 * {@link #onError}, serialized by gRPC) only queues requests and asks for the next one while the
 * queue is short; a single drain task at a time, on the writer executor, takes whole requests off
 * the queue in batches of about {@link IngestLimits#maxBatchRecords()}, validates them, has them
 * written (one batch writing while the next is prepared, see {@link #drainQueue}), and is the only
 * one that speaks on the response side, so responses need no further locking and go out in request
 * order.
 *
 * <p>What the queue holds is counted in records and in serialized bytes, against the stream's
 * limits and the server's {@link IngestMemory}; reading pauses when either is full.
 */
final class IngestCall<Q, R, S> implements StreamObserver<Q> {
  /** How the call answers: per request (acks) or once at the end (a summary). */
  interface Responder {
    void requestDone(RequestOutcome outcome);

    void streamDone();
  }

  /** A request read from the stream, or the error that ends the call at its place in the queue. */
  private record Pending<R>(long requestIndex, long firstRecordIndex, List<R> records, long bytes,
                            StatusRuntimeException failure) {}

  private final StreamIngestor<R> ingestor;
  /** Failures that are bugs of ours: with their stack trace, but not one per call in a flood. */
  private static final RateLimitedLog failureLog = new RateLimitedLog(LoggerFactory.getLogger(IngestCall.class),
      RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());

  private final ServerCallStreamObserver<S> call;
  private final Function<Q, List<R>> recordsOf;
  private final Responder responder;

  // Written only by the transport side (gRPC serializes those callbacks).
  private long nextRequestIndex;
  private long nextRecordIndex;

  /** How a stream ends when the server stops under it: retryable, and saying what to resend. */
  static final Status SHUTTING_DOWN = Status.UNAVAILABLE.withDescription(
      "the server is shutting down: every acknowledged request is committed; send the rest again (to another replica, or after the restart)");

  private final Object lock = new Object();
  private final ArrayDeque<Pending<R>> queue = new ArrayDeque<>(); // guarded by lock
  private long bufferedRecords; // guarded by lock
  private long bufferedBytes; // guarded by lock; also counted in the server's IngestMemory
  private boolean waitingForMemory; // guarded by lock: registered with IngestMemory.whenRoom
  private boolean messageRequested; // guarded by lock: asked for one more message, not yet received
  private boolean stopReading; // guarded by lock: the call is ending, read nothing more
  private boolean halfClosed; // guarded by lock
  private boolean draining; // guarded by lock: a drain task is scheduled or running
  private boolean finished; // guarded by lock: answered, failed or cancelled
  private boolean ending; // guarded by lock: the server is stopping; end the call once the queue is written
  private long waitingSinceNanos; // guarded by lock: when the request asked for was asked for

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
    ingest.scheduleIdleCheck(ingestor.idleTimeout().timeout().toNanos());
    return ingest;
  }

  /**
   * The server is stopping: read no more requests, write and acknowledge those already read, then
   * end the call with UNAVAILABLE, which clients retry on another replica or after the restart.
   * A call that was already ending is left to end as it was.
   */
  void endForShutdown() {
    boolean startDrain;
    synchronized (lock) {
      if (finished || ending) {
        return;
      }
      ending = true;
      stopReading = true;
      // A drain already running (or scheduled) ends the call once the queue is empty; else start one.
      startDrain = claimDrainLocked();
    }
    if (startDrain) {
      startDrain();
    }
  }

  /** Whether the call has ended (answered, failed or cancelled). */
  boolean isFinished() {
    synchronized (lock) {
      return finished;
    }
  }

  private void scheduleIdleCheck(long delayNanos) {
    IdleTimeout idle = ingestor.idleTimeout();
    if (idle.isOff()) {
      return;
    }
    try {
      idle.scheduler().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopping) {
      // the server is shutting down: its grace period bounds the call instead
    }
  }

  /**
   * Ends the call when the client has sent nothing for the idle timeout while the server was
   * waiting for it. Not while a batch is written (the writer is the one that speaks on the call)
   * nor while the server holds the client back.
   */
  private void checkIdle() {
    long timeout = ingestor.idleTimeout().timeout().toNanos();
    long release;
    synchronized (lock) {
      if (finished || halfClosed) {
        return;
      }
      long waited = System.nanoTime() - waitingSinceNanos;
      if (!messageRequested || draining || waited < timeout) {
        scheduleIdleCheck(messageRequested && !draining ? timeout - waited : timeout);
        return;
      }
      release = finishLocked();
    }
    ingestor.memory().release(release);
    call.onError(Status.DEADLINE_EXCEEDED.withDescription("no request for " + ingestor.idleTimeout().timeout().toSeconds()
        + " s: the stream is ended (TICKVAULT_STREAM_IDLE_TIMEOUT_SECONDS); what was acknowledged is stored")
        .asRuntimeException());
  }

  @Override
  public void onNext(Q request) {
    try {
      read(request);
    } catch (RuntimeException e) {
      // A bug of ours: the call still ends, in its place in the queue, and gives its bytes back.
      failureLog.error("an ingestion request could not be read", e);
      enqueue(new Pending<>(nextRequestIndex++, nextRecordIndex, List.of(), 0, internal(e)));
    }
  }

  private void read(Q request) {
    if (RequestParsing.isUnreadable(request)) {
      long requestIndex = nextRequestIndex++;
      enqueue(new Pending<>(requestIndex, nextRecordIndex, List.of(), 0,
          RequestParsing.failure(request, "request " + requestIndex).asRuntimeException()));
      return;
    }
    List<R> records = recordsOf.apply(request);
    long bytes = RequestParsing.serializedSize((MessageLite) request);
    long requestIndex = nextRequestIndex++;
    long firstRecordIndex = nextRecordIndex;
    nextRecordIndex += records.size();
    int max = ingestor.limits().maxRecordsPerRequest();
    if (records.size() > max) {
      StatusRuntimeException tooMany = Status.RESOURCE_EXHAUSTED
          .withDescription("request " + requestIndex + " has " + records.size() + " " + ingestor.recordNoun()
              + ", at most " + max + " are allowed per request")
          .asRuntimeException();
      enqueue(new Pending<>(requestIndex, firstRecordIndex, List.of(), 0, tooMany));
      return;
    }
    enqueue(new Pending<>(requestIndex, firstRecordIndex, records, bytes, null));
  }

  @Override
  public void onCompleted() {
    boolean startDrain;
    synchronized (lock) {
      halfClosed = true;
      startDrain = claimDrainLocked();
    }
    if (startDrain) {
      startDrain();
    }
  }

  @Override
  public void onError(Throwable t) {
    cancelled(); // the client went away: nothing more to answer
  }

  private void cancelled() {
    long release;
    synchronized (lock) {
      release = finishLocked();
    }
    ingestor.memory().release(release);
  }

  /**
   * Marks the call finished and empties its queue; returns the bytes it held, for the caller to
   * give back to the {@link IngestMemory} once it has left the lock (giving back wakes other
   * streams, whose locks must never be taken while this one is held).
   */
  private long finishLocked() {
    finished = true;
    stopReading = true;
    queue.clear();
    bufferedRecords = 0;
    long held = bufferedBytes;
    bufferedBytes = 0;
    return held;
  }

  private void enqueue(Pending<R> pending) {
    boolean startDrain;
    synchronized (lock) {
      messageRequested = false;
      if (finished) {
        return;
      }
      queue.add(pending);
      bufferedRecords += pending.records().size();
      bufferedBytes += pending.bytes();
      ingestor.memory().take(pending.bytes());
      if (pending.failure() != null) {
        stopReading = true;
      }
      startDrain = claimDrainLocked();
    }
    if (startDrain) {
      startDrain();
    }
    requestMoreIfRoom();
  }

  private void requestMoreIfRoom() {
    boolean request;
    synchronized (lock) {
      if (messageRequested || stopReading || halfClosed || finished || waitingForMemory
          || bufferedRecords >= ingestor.limits().maxBufferedRecords()
          || bufferedBytes >= ingestor.limits().maxBufferedBytes() || !call.isReady()) {
        return;
      }
      request = ingestor.memory().hasRoom();
      messageRequested = request;
      waitingForMemory = !request;
      waitingSinceNanos = System.nanoTime();
    }
    if (request) {
      call.request(1);
      return;
    }
    // The server as a whole holds too much: wait for another stream to give bytes back.
    ingestor.memory().whenRoom(() -> {
      synchronized (lock) {
        waitingForMemory = false;
      }
      requestMoreIfRoom();
    });
  }

  /** True when the caller must start the drain task: none is scheduled or running. */
  private boolean claimDrainLocked() {
    if (draining || finished) {
      return false;
    }
    draining = true;
    return true;
  }

  private void startDrain() {
    try {
      ingestor.writers().execute(this::drain);
    } catch (RejectedExecutionException e) {
      // No drain runs (this one was refused), so answering here cannot race with one.
      long release;
      synchronized (lock) {
        draining = false;
        if (finished) {
          return;
        }
        release = finishLocked();
      }
      ingestor.memory().release(release);
      call.onError(Status.RESOURCE_EXHAUSTED.withDescription("server busy: too many calls in flight, retry later")
          .asRuntimeException());
    }
  }

  /**
   * Runs the queue; whatever it throws (a summary that cannot be built or sent, an Error from the
   * sink), the call ends INTERNAL and gives back what it holds, instead of hanging with its bytes.
   */
  private void drain() {
    try {
      drainQueue();
    } catch (Throwable t) {
      abort(t);
      if (t instanceof VirtualMachineError fatal) {
        throw fatal; // out of memory, stack overflow: the JVM's own handlers must see it too
      }
    }
  }

  private void abort(Throwable t) {
    failureLog.error("an ingestion call failed on the server", t);
    long release;
    synchronized (lock) {
      draining = false;
      release = finished ? 0 : finishLocked();
    }
    ingestor.memory().release(release);
    try {
      call.onError(internal(t));
    } catch (RuntimeException alreadyClosed) {
      // It had ended (its answer was sent, or the client went away): there is no one to tell.
    }
  }

  /** How a call ends on a bug of the server's: short, and saying what the client may do. */
  private static StatusRuntimeException internal(Throwable t) {
    return Status.INTERNAL.withDescription("the server failed while ingesting (" + t.getClass().getSimpleName()
        + "): records not acknowledged may or may not be stored; sending them again is safe").asRuntimeException();
  }

  /**
   * Takes batches off the queue and answers them in order, two at a time: while one batch is
   * written on another writer thread, the next is validated here, and it starts writing as soon as
   * the first one's rows are in (its commit then overlaps the next batch's COPY). PostgreSQL so has
   * rows to take nearly all the time; see {@link RecordSink#write} for why the first write of a key
   * still stands in stream order.
   */
  private void drainQueue() throws InterruptedException {
    Flight writing = null; // the batch whose write runs while the next one is prepared
    while (true) {
      List<Pending<R>> batch = new ArrayList<>();
      StatusRuntimeException failure = null;
      boolean complete = false;
      long release = 0;
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
        if (batch.isEmpty() && writing == null) {
          if (!queue.isEmpty()) {
            failure = queue.poll().failure();
          } else if (halfClosed) {
            complete = true;
          } else if (ending) {
            failure = SHUTTING_DOWN.asRuntimeException();
          } else {
            draining = false;
            return;
          }
          release = finishLocked();
          draining = false;
        }
      }
      ingestor.memory().release(release);
      if (failure != null) {
        call.onError(failure);
        return;
      }
      if (complete) {
        responder.streamDone();
        return;
      }
      if (batch.isEmpty()) { // nothing to prepare: answer the batch being written, then look again
        if (!answer(writing)) {
          return;
        }
        writing = null;
        continue;
      }

      Flight next = new Flight(validate(batch));
      if (writing != null) {
        writing.write.run(); // a no-op once started; when no writer thread was free, the write runs here
        writing.rowsIn.await();
      }
      start(next);
      if (writing != null && !answer(writing)) {
        return;
      }
      writing = next;
    }
  }

  /** A batch on its way to the database: its write, and the moment its rows are in. */
  private final class Flight {
    final List<Pending<R>> batch;
    final CountDownLatch rowsIn = new CountDownLatch(1);
    final FutureTask<List<RequestOutcome>> write;

    Flight(Validated<R> validated) {
      this.batch = validated.batch();
      this.write = new FutureTask<>(() -> {
        try {
          return write(validated, rowsIn::countDown);
        } finally {
          rowsIn.countDown(); // also when the write failed: the next batch then tries and fails on its own
        }
      });
    }
  }

  private void start(Flight flight) {
    try {
      ingestor.writers().execute(flight.write);
    } catch (RejectedExecutionException stopping) {
      // the server is stopping: answer() runs the write on this thread
    }
  }

  /**
   * Waits for the flight's write (running it here when it has not started) and answers its
   * requests; false when the write failed, which ends the call.
   */
  private boolean answer(Flight flight) throws InterruptedException {
    flight.write.run();
    List<RequestOutcome> outcomes;
    try {
      outcomes = flight.write.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failed) {
        fail(Errors.toStatus(failed));
        return false;
      }
      if (e.getCause() instanceof Error error) {
        throw error; // drain() ends the call INTERNAL, and rethrows what the JVM must see
      }
      throw new IllegalStateException("an ingestion write failed", e.getCause());
    }
    for (RequestOutcome outcome : outcomes) {
      responder.requestDone(outcome);
    }
    long written = 0;
    synchronized (lock) {
      if (!finished) { // else finishLocked() gave back everything already
        for (Pending<R> pending : flight.batch) {
          bufferedRecords -= pending.records().size();
          written += pending.bytes();
        }
        bufferedBytes -= written;
      }
    }
    ingestor.memory().release(written);
    requestMoreIfRoom();
    return true;
  }

  private void fail(StatusRuntimeException status) {
    long release;
    synchronized (lock) {
      if (finished) {
        draining = false;
        return;
      }
      release = finishLocked();
      draining = false;
    }
    ingestor.memory().release(release);
    call.onError(status);
  }

  /** The rejections of one request: all counted, the first listed. */
  private record Outcome(int count, Rejections.Capped listed) {}

  /** A batch's valid records, and the rejections of each request. */
  private record Validated<T>(List<Pending<T>> batch, List<T> valid, List<Outcome> rejections) {}

  /** Checks every record of the batch on its own. */
  private Validated<R> validate(List<Pending<R>> batch) {
    RecordSink<R> sink = ingestor.sink();
    List<R> valid = new ArrayList<>();
    List<Outcome> rejections = new ArrayList<>(batch.size());
    for (Pending<R> pending : batch) {
      Rejections.Capped rejected = new Rejections.Capped(Integer.MAX_VALUE);
      int rejectedCount = 0;
      List<R> records = pending.records();
      for (int i = 0; i < records.size(); i++) {
        R record = records.get(i);
        RecordSink.Rejection rejection = sink.validate(record);
        if (rejection == null) {
          valid.add(record);
        } else {
          rejectedCount++;
          rejected.add(Rejections.of(pending.firstRecordIndex() + i, sink.recordKey(record), rejection.code(),
              rejection.field(), rejection.reason()));
        }
      }
      rejections.add(new Outcome(rejectedCount, rejected));
    }
    return new Validated<>(batch, valid, rejections);
  }

  /** Writes the valid records of a batch in one transaction and counts each request's outcome. */
  private List<RequestOutcome> write(Validated<R> validated, Runnable rowsWritten) {
    List<Pending<R>> batch = validated.batch();
    List<R> valid = validated.valid();
    List<Outcome> rejections = validated.rejections();
    boolean[] inserted = valid.isEmpty() ? new boolean[0] : ingestor.sink().write(valid, rowsWritten);
    if (inserted.length != valid.size()) {
      throw new IllegalStateException("sink answered " + inserted.length + " results for " + valid.size() + " records");
    }

    List<RequestOutcome> outcomes = new ArrayList<>(batch.size());
    int position = 0;
    long totalInserted = 0;
    long totalRejected = 0;
    for (int b = 0; b < batch.size(); b++) {
      Pending<R> pending = batch.get(b);
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
          validCount - insertedCount, rejected.count(), rejected.listed().list(), rejected.listed().truncated()));
    }
    ingestor.recordBatch(totalInserted, valid.size() - totalInserted, totalRejected);
    return outcomes;
  }
}
