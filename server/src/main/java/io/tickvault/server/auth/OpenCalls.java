package io.tickvault.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The calls in flight of each stored token, so that its revocation or expiry ends them instead of
 * leaving a stream opened before it running for good. A call is registered under its token's id as
 * it is admitted, with a cancellable context of its own, and leaves as it ends (completed, failed
 * or cancelled): the registry holds the calls open now and nothing else.
 *
 * <p>Ending a call closes it with a status saying why ({@link #end}). Cancelling a context on the
 * server tells the client nothing (grpc-java only marks the call cancelled there), so the call is
 * closed through a wrapper that from then on drops what the call's own code still sends, and tells
 * that code the call was cancelled, as if its client had gone away. An ingestion stream so stops
 * reading: what it committed stays committed, and what it acknowledged was committed.
 */
public final class OpenCalls {
  private final ConcurrentHashMap<String, Set<OpenCall<?, ?>>> byToken = new ConcurrentHashMap<>();
  /** Why a token's calls must end now, if they must: revoked, expired, gone from the table. */
  private final Function<String, Optional<Status>> refusal;

  OpenCalls(Function<String, Optional<Status>> refusal) {
    this.refusal = refusal;
  }

  /**
   * Runs the call in its own cancellable context, registered under the caller's token id until it ends.
   *
   * @param refusals told of the call if it is ended, as of a call refused (the audit trail, the metrics)
   */
  <Q, R> ServerCall.Listener<Q> admit(Caller caller, ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next,
                                      RefusalListener refusals) {
    String tokenId = caller.tokenId();
    Context.CancellableContext context = caller.attachTo(Context.current()).withCancellation();
    OpenCall<Q, R> open = new OpenCall<>(call, context, c -> leave(tokenId, c), () -> refusals.refused(call, tokenId,
        Status.Code.UNAUTHENTICATED));
    byToken.compute(tokenId, (id, calls) -> {
      Set<OpenCall<?, ?>> set = calls == null ? ConcurrentHashMap.newKeySet() : calls;
      set.add(open);
      return set;
    });
    // A revocation between the check of the token and the registration above found nothing to end;
    // this finds it (a revocation is noted before its calls are looked up).
    Optional<Status> refused = refusal.apply(tokenId);
    if (refused.isPresent()) {
      end(tokenId, refused.get());
      return open.listener(new ServerCall.Listener<>() {});
    }
    ServerCall.Listener<Q> listener;
    try {
      listener = Contexts.interceptCall(context, open, headers, next);
    } catch (RuntimeException | Error e) {
      open.left();
      throw e;
    }
    return open.listener(listener);
  }

  /** Ends every call open with this token, with this status; returns how many it ended. Never waits. */
  public int end(String tokenId, Status status) {
    Set<OpenCall<?, ?>> calls = byToken.remove(tokenId);
    if (calls == null) {
      return 0;
    }
    int ended = 0;
    for (OpenCall<?, ?> call : calls) {
      if (call.end(status)) {
        ended++;
      }
    }
    return ended;
  }

  /** Ends the calls of every token that must not be used any more (revoked, expired, gone). */
  public void endRefused() {
    for (String tokenId : List.copyOf(byToken.keySet())) {
      refusal.apply(tokenId).ifPresent(status -> end(tokenId, status));
    }
  }

  /** How many calls made with stored tokens are open. */
  public int size() {
    int size = 0;
    for (String tokenId : List.copyOf(byToken.keySet())) {
      Set<OpenCall<?, ?>> calls = byToken.get(tokenId);
      if (calls != null) {
        size += calls.size();
      }
    }
    return size;
  }

  private void leave(String tokenId, OpenCall<?, ?> call) {
    byToken.computeIfPresent(tokenId, (id, calls) -> {
      calls.remove(call);
      return calls.isEmpty() ? null : calls;
    });
  }

  /**
   * One call: what its code sends goes through a lock shared with {@link #end}, as a server call
   * takes one sender at a time; after the end it is dropped.
   */
  private static final class OpenCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private final Context.CancellableContext context;
    private final Runnable leave;
    private final Runnable refused;
    private boolean closed; // guarded by this
    /** Closed by {@link #end}: set before the close, so the transport's onComplete that follows is seen as such. */
    private volatile boolean ended;
    /** Set once the end is complete, context cancelled included: what the call's own code sees. */
    private volatile boolean cancelled;

    OpenCall(ServerCall<Q, R> delegate, Context.CancellableContext context, Consumer<OpenCall<?, ?>> leave,
             Runnable refused) {
      super(delegate);
      this.context = context;
      this.leave = () -> leave.accept(this);
      this.refused = refused;
    }

    /** Closes the call with {@code status} unless it was closed already; true when it did. */
    boolean end(Status status) {
      synchronized (this) {
        if (closed) {
          return false;
        }
        closed = true;
        ended = true;
        try {
          refused.run();
        } finally {
          super.close(status, new Metadata());
        }
      }
      context.cancel(status.asRuntimeException());
      cancelled = true;
      return true;
    }

    void left() {
      leave.run();
      context.cancel(null);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }

    @Override
    public boolean isReady() {
      return !ended && super.isReady();
    }

    @Override
    public boolean isCancelled() {
      return cancelled || super.isCancelled();
    }

    ServerCall.Listener<Q> listener(ServerCall.Listener<Q> delegate) {
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
        @Override
        public void onComplete() {
          try {
            // Closed by end(): to the call's own code it was cancelled, it did not complete.
            if (ended) {
              super.onCancel();
            } else {
              super.onComplete();
            }
          } finally {
            left();
          }
        }

        @Override
        public void onCancel() {
          try {
            super.onCancel();
          } finally {
            left();
          }
        }
      };
    }
  }
}
