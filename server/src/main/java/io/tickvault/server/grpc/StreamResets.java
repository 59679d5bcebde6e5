package io.tickvault.server.grpc;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Lets a call reset its own HTTP/2 stream (RST_STREAM), which {@link io.grpc.ServerCall} cannot: a
 * call closed with a status still waits behind the bytes its client has not taken, and the buffers
 * holding them stay until the client takes them or goes away. A reset drops them at once.
 *
 * <p>gRPC resets the stream of a call whose deadline passes. This tracer gives each call of the
 * methods it was made for a parent context of its own; {@link #current()} cancels it with a
 * {@link TimeoutException}, which gRPC takes for the deadline passing: it resets the stream, and
 * the call's cancel handlers run as for any cancelled call.
 */
public final class StreamResets extends ServerStreamTracer.Factory {
  private static final Context.Key<Context.CancellableContext> RESETTABLE = Context.key("tickvault-stream-reset");
  private static final ServerStreamTracer PLAIN = new ServerStreamTracer() {};
  private static final ServerStreamTracer WITH_RESET = new ServerStreamTracer() {
    @Override
    public Context filterContext(Context context) {
      Context.CancellableContext resettable = context.withCancellation();
      return resettable.withValue(RESETTABLE, resettable);
    }
  };

  private final Set<String> methods;

  /** @param methods full method names whose calls may reset their stream */
  public StreamResets(Set<String> methods) {
    this.methods = Set.copyOf(methods);
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return methods.contains(fullMethodName) ? WITH_RESET : PLAIN;
  }

  /**
   * What resets the current call's stream, from any thread; does nothing for a call of a method this
   * tracer was not made for.
   */
  public static Runnable current() {
    Context.CancellableContext resettable = RESETTABLE.get();
    if (resettable == null) {
      return () -> {};
    }
    return () -> resettable.cancel(new TimeoutException("reset by the server"));
  }
}
