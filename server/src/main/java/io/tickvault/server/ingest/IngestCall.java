package io.tickvault.server.ingest;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.grpc.Errors;
import io.tickvault.server.grpc.MemoryBudget;
import io.tickvault.server.ingest.PendingRequests.Pending;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One ingestion call in flight. The transport side ({@link #onNext}, {@link #onCompleted},
 * {@link #onError}, serialized by gRPC) only queues requests and asks for the next one while the
 * queue is short; a single drain task at a time, on the writer executor, takes whole requests off
 * the queue in batches of about {@link IngestLimits#maxBatchRecords()}, validates them, hands them
 * to the {@link GroupCommitter} (one batch writing while the next is prepared, see
 * {@link #drainQueue}), and is the only one that speaks on the response side, so responses need no
 * further locking and go out in request order. No thread waits for a stream: while its batches are
 * written the drain task is parked, and a silent stream holds no task at all.
 *
 * <p>What the queue holds is counted in records and in serialized bytes, against the stream's
 * limits and the server's {@link MemoryBudget}; reading pauses when either is full. The parts:
 * {@link RequestReader} numbers the requests, {@link PendingRequests} holds and counts them,
 * {@link IngestBatch} validates and writes a batch of them; this class keeps the call's phase.
 */
final class IngestCall<Q, R, S> implements StreamObserver<Q> {
  /** How the call answers: per request (acks) or once at the end (a summary). */
  interface Responder {
    void requestDone(RequestOutcome outcome);

    void streamDone();
  }

  private final StreamIngestor<R> ingestor;
  private final ServerCallStreamObserver<S> call;
  private final RequestReader<Q, R> reader; // used only by the transport side
  private final Responder responder;
  private final Scope scope;

  private final Object lock = new Object();
  private final PendingRequests<R> queue; // guarded by lock
  private CallPhase phase = CallPhase.HELD; // guarded by lock
  private boolean draining; // guarded by lock: a drain task is scheduled or running
  private long askedAtNanos; // guarded by lock: when the phase became ASKED
  private boolean parked; // guarded by lock: the drain task waits for a batch in flight or a request (draining stays true)
  private boolean signalled; // guarded by lock: something happened while the drain task ran: it looks again
  private final BatchPipeline<R> batches; // the drain task's own

  private IngestCall(StreamIngestor<R> ingestor, ServerCallStreamObserver<S> call, Scope scope,
                     Function<Q, List<R>> recordsOf, Function<Q, List<CoverageClaim>> claimsOf, Responder responder) {
    this.ingestor = ingestor;
    this.call = call;
    this.scope = scope;
    this.reader = new RequestReader<>(recordsOf, claimsOf, ingestor.setup().limits().maxRecordsPerRequest(),
        ingestor.setup().recordNoun());
    this.responder = responder;
    this.queue = new PendingRequests<>(ingestor.setup().limits(), ingestor.setup().memory());
    this.batches = new BatchPipeline<>(ingestor.setup().limits());
  }

  /** @param scope the exchanges the caller's token reaches: a record or claim of another one is rejected on its own */
  static <Q, R, S> IngestCall<Q, R, S> start(StreamIngestor<R> ingestor, ServerCallStreamObserver<S> call, Scope scope,
                                             Function<Q, List<R>> recordsOf, Function<Q, List<CoverageClaim>> claimsOf,
                                             Responder responder) {
    IngestCall<Q, R, S> ingest = new IngestCall<>(ingestor, call, scope, recordsOf, claimsOf, responder);
    // Manual flow control: gRPC delivers a message only when asked for it, so a fast client is
    // held back by HTTP/2 flow control instead of filling the heap.
    call.disableAutoRequest();
    call.setOnCancelHandler(ingest::cancelled);
    // A client that does not read its acks stops us from reading its requests.
    call.setOnReadyHandler(ingest::requestMoreIfRoom);
    ingest.requestMoreIfRoom();
    ingest.scheduleIdleCheck(ingestor.setup().idleTimeout().timeout().toNanos());
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
      if (!phase.reading()) {
        return;
      }
      phase = CallPhase.STOPPING;
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
      return phase == CallPhase.ENDED;
    }
  }

  private void scheduleIdleCheck(long delayNanos) {
    IdleTimeout idle = ingestor.setup().idleTimeout();
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
    long timeout = ingestor.setup().idleTimeout().timeout().toNanos();
    long release;
    synchronized (lock) {
      if (phase == CallPhase.ENDED || phase == CallPhase.HALF_CLOSED) {
        return;
      }
      boolean clockRuns = phase == CallPhase.ASKED && !draining;
      long waited = System.nanoTime() - askedAtNanos;
      if (!clockRuns || waited < timeout) {
        scheduleIdleCheck(clockRuns ? timeout - waited : timeout);
        return;
      }
      release = finishLocked();
    }
    ingestor.setup().memory().release(release);
    long idleSeconds = ingestor.setup().idleTimeout().timeout().toSeconds();
    call.onError(Status.DEADLINE_EXCEEDED.withDescription("no request for " + idleSeconds
        + " s: the stream is ended (TICKVAULT_STREAM_IDLE_TIMEOUT_SECONDS); what was acknowledged is stored")
        .asRuntimeException());
  }

  @Override
  public void onNext(Q request) {
    Pending<R> pending;
    try {
      pending = reader.read(request);
    } catch (RuntimeException e) {
      // A bug of ours: the call still ends, in its place in the queue, and gives its bytes back.
      IngestFailures.LOG.error("an ingestion request could not be read", e);
      pending = reader.failed(IngestFailures.internal(e));
    }
    enqueue(pending);
  }

  @Override
  public void onCompleted() {
    boolean startDrain;
    synchronized (lock) {
      if (phase == CallPhase.ENDED) {
        return;
      }
      if (phase != CallPhase.FAILING) { // a queued failure still ends the call in its place
        phase = CallPhase.HALF_CLOSED;
      }
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
    ingestor.setup().memory().release(release);
  }

  /**
   * Ends the call and empties its queue; returns the bytes it held, for the caller to give back to
   * the {@link MemoryBudget} once it has left the lock (see {@link PendingRequests}).
   */
  private long finishLocked() {
    phase = CallPhase.ENDED;
    return queue.clear();
  }

  private void enqueue(Pending<R> pending) {
    boolean startDrain;
    synchronized (lock) {
      if (phase == CallPhase.ENDED) {
        return;
      }
      queue.add(pending);
      if (pending.failure() != null) {
        phase = CallPhase.FAILING;
      } else if (phase == CallPhase.ASKED) {
        phase = CallPhase.HELD;
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
      if (phase != CallPhase.HELD || queue.isFull() || !call.isReady()) {
        return;
      }
      request = ingestor.setup().memory().hasRoom();
      phase = request ? CallPhase.ASKED : CallPhase.AWAITING_MEMORY;
      askedAtNanos = System.nanoTime();
    }
    if (request) {
      call.request(1);
      return;
    }
    // The server as a whole holds too much: wait for another stream to give bytes back.
    ingestor.setup().memory().whenRoom(() -> {
      synchronized (lock) {
        if (phase == CallPhase.AWAITING_MEMORY) {
          phase = CallPhase.HELD;
        }
      }
      requestMoreIfRoom();
    });
  }

  /**
   * True when the caller must start the drain task: none is scheduled or running, or it is parked.
   * A running one is told to look again.
   */
  private boolean claimDrainLocked() {
    if (phase == CallPhase.ENDED) {
      return false;
    }
    if (!draining || parked) {
      draining = true;
      parked = false;
      return true;
    }
    signalled = true;
    return false;
  }

  private void startDrain() {
    try {
      ingestor.setup().writers().execute(this::drain);
    } catch (RejectedExecutionException e) {
      // No drain runs (this one was refused), so answering here cannot race with one.
      long release;
      synchronized (lock) {
        draining = false;
        if (phase == CallPhase.ENDED) {
          return;
        }
        release = finishLocked();
      }
      ingestor.setup().memory().release(release);
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
    IngestFailures.LOG.error("an ingestion call failed on the server", t);
    long release;
    synchronized (lock) {
      draining = false;
      release = phase == CallPhase.ENDED ? 0 : finishLocked();
    }
    ingestor.setup().memory().release(release);
    try {
      call.onError(IngestFailures.internal(t));
    } catch (RuntimeException alreadyClosed) {
      // It had ended (its answer was sent, or the client went away): there is no one to tell.
    }
  }

  /**
   * Answers the batches in flight that are written, in order; validates the next batch while the
   * one before it is written, and hands it to the {@link GroupCommitter} as soon as the rows of
   * that one are in (its commit then overlaps the next batch's COPY), so PostgreSQL has rows to
   * take nearly all the time; see {@link RecordSink#write} for why the first write of a key still
   * stands in stream order. It never waits for a write: when nothing can move, it parks (its call
   * stays {@code draining}) until a batch's progress or a request wakes it ({@link #wake}).
   */
  private void drainQueue() throws InterruptedException {
    while (true) {
      for (IngestBatch<R> written = batches.takeWritten(); written != null; written = batches.takeWritten()) {
        if (!answer(written)) {
          return;
        }
      }
      if (!batches.hasPrepared() && !prepareNext()) {
        return;
      }
      if (batches.startPrepared(this::wake)) {
        continue;
      }
      synchronized (lock) {
        if (phase == CallPhase.ENDED) {
          draining = false;
          return;
        }
        if (!signalled) {
          parked = true; // a batch is in flight: its progress wakes the call
          return;
        }
        signalled = false;
      }
    }
  }

  /**
   * Takes the next batch off the queue and validates it, or, once nothing is in flight, ends the
   * call as its phase says; false when the drain task stops here.
   */
  private boolean prepareNext() {
    List<Pending<R>> batch;
    StatusRuntimeException failure = null;
    boolean complete = false;
    long release = 0;
    synchronized (lock) {
      if (phase == CallPhase.ENDED) {
        draining = false;
        return false;
      }
      batch = queue.takeBatch();
      if (batch.isEmpty() && batches.nothingInFlight()) {
        failure = queue.takeFailure();
        if (failure == null && phase == CallPhase.HALF_CLOSED) {
          complete = true;
        } else if (failure == null && phase == CallPhase.STOPPING) {
          failure = IngestFailures.SHUTTING_DOWN.asRuntimeException();
        } else if (failure == null) {
          draining = false;
          return false;
        }
        release = finishLocked();
        draining = false;
      }
    }
    ingestor.setup().memory().release(release);
    if (failure != null) {
      call.onError(failure);
      return false;
    }
    if (complete) {
      responder.streamDone();
      return false;
    }
    if (!batch.isEmpty()) {
      batches.prepare(new IngestBatch<>(ingestor, scope, batch));
    }
    return true;
  }

  /** A batch of the call made progress: a parked drain task is started again, a running one looks again. */
  private void wake() {
    boolean start;
    synchronized (lock) {
      start = parked && phase != CallPhase.ENDED;
      if (parked && !start) {
        draining = false; // the call ended while the task was parked: nothing is left to answer
      }
      signalled = !parked;
      parked = false;
    }
    if (start) {
      startDrain();
    }
  }

  /** Waits for the batch's write and answers its requests; false when the write failed, which ends the call. */
  private boolean answer(IngestBatch<R> batch) throws InterruptedException {
    List<RequestOutcome> outcomes;
    try {
      outcomes = batch.outcomes();
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
      if (phase != CallPhase.ENDED) { // else finishLocked() gave back everything already
        written = queue.written(batch.requests());
      }
    }
    ingestor.setup().memory().release(written);
    requestMoreIfRoom();
    return true;
  }

  private void fail(StatusRuntimeException status) {
    long release;
    synchronized (lock) {
      if (phase == CallPhase.ENDED) {
        draining = false;
        return;
      }
      release = finishLocked();
      draining = false;
    }
    ingestor.setup().memory().release(release);
    call.onError(status);
  }
}
