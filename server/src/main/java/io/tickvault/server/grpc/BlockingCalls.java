package io.tickvault.server.grpc;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The database executor for a unary call that answers what it can on the thread that received it
 * (a near-cache hit) and only hands the rest over: the RPCs declared
 * {@link RpcRule.Runs#EVENT_LOOP}. {@link DatabaseCalls} does not move those calls; they come here on a
 * miss, under the same kind of admission bound: at most {@code maxCalls} wait or run at once, one
 * more is answered RESOURCE_EXHAUSTED with a retry hint.
 *
 * <p>The call's gRPC context goes along, so a call whose deadline passed or that was cancelled
 * while it waited for a thread is dropped without touching Redis or PostgreSQL.
 */
public final class BlockingCalls {
  private final Executor database;
  private final Semaphore admitted;
  private final int maxCalls;

  public BlockingCalls(Executor database, int maxCalls) {
    this.database = database;
    this.admitted = new Semaphore(maxCalls);
    this.maxCalls = maxCalls;
  }

  /** Answers the call with {@code body}'s result (or its status), run on the database executor. */
  public <T> void respond(StreamObserver<T> observer, Supplier<T> body) {
    if (!admitted.tryAcquire()) {
      StatusRuntimeException busy = Errors.retryLater(Status.Code.RESOURCE_EXHAUSTED,
          "server busy: " + maxCalls + " calls are waiting for the database, retry later");
      observer.onError(busy);
      return;
    }
    Context context = Context.current();
    try {
      database.execute(context.wrap(() -> {
        try {
          if (!context.isCancelled()) { // else already answered CANCELLED or DEADLINE_EXCEEDED
            UnaryCalls.respond(observer, body);
          }
        } finally {
          admitted.release();
        }
      }));
    } catch (RuntimeException e) { // the executor is shut down: the server is stopping
      admitted.release();
      observer.onError(Status.UNAVAILABLE.withDescription("server stopping").withCause(e).asRuntimeException());
    }
  }
}
