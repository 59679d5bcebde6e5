package io.tickvault.server.grpc;

import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.server.db.DataAccessException;
import io.tickvault.server.db.DatabaseHealthMonitor;
import io.tickvault.server.db.StatementTimeout;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps blocking work off the transport threads and answers at once when it cannot be done. The
 * transport executor only reads, writes and dispatches, so health and reflection never wait
 * behind PostgreSQL; a unary or server-streaming call of a tickvault service runs on the database
 * executor instead.
 *
 * <ul>
 *   <li>While the database is known to be down ({@link DatabaseHealthMonitor#isDown()}), a call of
 *       a service that needs it is answered UNAVAILABLE with a retry hint before it is queued,
 *       and again when a queued one reaches a thread.
 *   <li>At most {@code maxCalls} of those calls wait or run at once; one more is answered
 *       RESOURCE_EXHAUSTED with a retry hint, never by resetting its stream.
 *   <li>The calls declared {@link RpcRule.Cost#HEAVY} run on the {@link HeavyReads} threads instead,
 *       a share of the pool, under their bound of calls waiting, and each of their statements under
 *       the rule's time limit; the database executor never runs them, so cheap calls never wait
 *       behind them.
 *   <li>A call that found PostgreSQL unreachable has the monitor check it now, so that the calls
 *       behind it fail fast too once it is found down (a deadlock, also UNAVAILABLE, does not).
 * </ul>
 * Each call's {@link RpcRule} says whether it needs the primary and whether it runs here:
 * client-streaming calls (ingestion) hand their own writes to the database executor, and the calls
 * that answer a near-cache hit on the thread that received them ({@link BlockingCalls}) their
 * misses: neither is queued here.
 */
public final class DatabaseCalls implements ServerInterceptor {
  private static final Context.Key<Executor> CALL_EVENTS = Context.key("tickvault-call-events");

  private final Executor database;
  private final HeavyReads heavyReads;
  private final Semaphore admitted;
  private final int maxCalls;
  private final DatabaseHealthMonitor health;
  private final RpcRules rules;

  /**
   * @param maxCalls the admission bound of the calls this interceptor runs (one interceptor per
   *     service, so that one service's flood does not refuse another's calls)
   * @param heavyReads where the calls declared heavy run (shared by every service)
   * @param rules which calls need the primary ({@link RpcRule#needsPrimary()}), which run here
   *     ({@link RpcRule.Runs#DATABASE}) and which of those are heavy ({@link RpcRule#cost()})
   */
  public DatabaseCalls(Executor database, HeavyReads heavyReads, int maxCalls, DatabaseHealthMonitor health,
                       RpcRules rules) {
    this.database = database;
    this.heavyReads = heavyReads;
    this.admitted = new Semaphore(maxCalls);
    this.maxCalls = maxCalls;
    this.health = health;
    this.rules = rules;
    // Built once now, and thrown away: the first answer of an outage must not wait while google.rpc's
    // descriptors load (hundreds of ms on a busy machine, with every failing call waiting on that
    // class initialization).
    Errors.databaseDown();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    RpcRule rule = rules.of(call.getMethodDescriptor().getFullMethodName());
    if (rule.needsPrimary() && health.isDown()) {
      return refuse(call, Errors.databaseDown());
    }
    ServerCall<Q, R> watched = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (status.getCode() == Status.Code.UNAVAILABLE && DataAccessException.isUnreachable(status.getCause())) {
          health.checkNow();
        }
        super.close(status, trailers);
      }
    };
    if (rule.runs() != RpcRule.Runs.DATABASE) {
      return next.startCall(watched, headers);
    }
    if (!admitted.tryAcquire()) {
      return refuse(call, Errors.retryLater(Status.Code.RESOURCE_EXHAUSTED,
          "server busy: " + maxCalls + " calls are waiting for the database, retry later"));
    }
    boolean heavy = rule.cost() == RpcRule.Cost.HEAVY;
    if (heavy && !heavyReads.tryWait()) {
      admitted.release();
      return refuse(call, heavyReads.busy());
    }
    CallEvents events = new CallEvents(heavy ? heavyReads.executor() : database, rule.cost().statementTimeout());
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(watched, headers);
    } catch (RuntimeException e) {
      admitted.release();
      if (heavy) {
        heavyReads.started();
      }
      throw e;
    }
    return new Offloaded<>(listener, watched, rule, events, heavy);
  }

  /**
   * The executor of the events of the current call, for a call this interceptor runs (null
   * otherwise): a task given to it runs after the events already queued, one at a time with them, on
   * the call's threads, in its context and under its rule's statement time limit. What a call's
   * code starts later (a wake-up of a stream that waited) goes through it to stay in that order.
   */
  public static Executor currentCallEvents() {
    return CALL_EVENTS.get();
  }

  /** A call's events, one at a time on its executor, in its context (which carries this executor too). */
  private static final class CallEvents implements Executor {
    private final SerialExecutor serial;
    private final Duration statementTimeout;
    private final Context context;

    CallEvents(Executor threads, Duration statementTimeout) {
      this.serial = new SerialExecutor(threads);
      this.statementTimeout = statementTimeout;
      this.context = Context.current().withValue(CALL_EVENTS, this);
    }

    @Override
    public void execute(Runnable task) {
      serial.execute(() -> context.run(() -> StatementTimeout.run(statementTimeout, task)));
    }
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, StatusRuntimeException status) {
    call.close(status.getStatus(), status.getTrailers());
    return new ServerCall.Listener<>() {};
  }

  /**
   * A unary or server-streaming call's events, run one at a time on the database executor (on the
   * heavy-read threads for a heavy call), in the call's context, each under the rule's statement
   * time limit.
   */
  private final class Offloaded<Q, R> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, R> call;
    private final CallEvents events;
    private final AtomicBoolean released = new AtomicBoolean();
    /** A heavy call still counted as waiting: until its method runs (on its half-close) or it ends. */
    private final AtomicBoolean waiting;
    private final RpcRule rule;

    Offloaded(ServerCall.Listener<Q> delegate, ServerCall<Q, R> call, RpcRule rule, CallEvents events, boolean heavy) {
      super(delegate);
      this.call = call;
      this.rule = rule;
      this.events = events;
      this.waiting = new AtomicBoolean(heavy);
    }

    @Override
    public void onMessage(Q message) {
      run(() -> super.onMessage(message));
    }

    @Override
    public void onHalfClose() {
      run(() -> {
        stopWaiting();
        if (call.isCancelled()) {
          return; // its deadline passed or its client left while it waited: its onCancel follows
        }
        if (rule.needsPrimary() && health.isDown()) {
          // It went down while this call waited for a thread: no point in waiting for a connection.
          StatusRuntimeException down = Errors.databaseDown();
          call.close(down.getStatus(), down.getTrailers());
          return;
        }
        super.onHalfClose();
      });
    }

    @Override
    public void onReady() {
      run(super::onReady);
    }

    @Override
    public void onCancel() {
      run(() -> {
        release();
        super.onCancel();
      });
    }

    @Override
    public void onComplete() {
      run(() -> {
        release();
        super.onComplete();
      });
    }

    private void run(Runnable event) {
      events.execute(event);
    }

    private void stopWaiting() {
      if (waiting.compareAndSet(true, false)) {
        heavyReads.started();
      }
    }

    private void release() {
      stopWaiting();
      if (released.compareAndSet(false, true)) {
        admitted.release();
      }
    }
  }
}
