package io.tickvault.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tickvault.api.TickvaultVersion;

/**
 * Tells every caller which server version answered, in the response header
 * {@value TickvaultVersion#SERVER_VERSION_HEADER}: clients show it ({@code tickvault --version})
 * and a worker can log it, from any call, without an RPC of its own. A call that fails before any
 * header is sent (a refused token, say) answers "trailers only", so the version goes there.
 */
public final class ServerVersionInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> HEADER =
      Metadata.Key.of(TickvaultVersion.SERVER_VERSION_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private final String version;

  public ServerVersionInterceptor(String version) {
    this.version = version;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      private boolean headersSent;

      @Override
      public void sendHeaders(Metadata responseHeaders) {
        responseHeaders.put(HEADER, version);
        headersSent = true;
        super.sendHeaders(responseHeaders);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        if (!headersSent) {
          trailers.put(HEADER, version);
        }
        super.close(status, trailers);
      }
    }, headers);
  }
}
