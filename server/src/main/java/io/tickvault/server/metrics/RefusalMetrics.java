package io.tickvault.server.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * {@code tickvault_auth_refusals_total{reason}}: calls refused for who made them —
 * {@code unauthenticated} (no token, an unknown, revoked or expired one), {@code no_permission}
 * (the token lacks the permission the RPC needs), both counted as authentication refuses them, and
 * {@code out_of_scope}: a call authentication let through that ended PERMISSION_DENIED, which only
 * a user or exchange outside the token's scope does ({@link #admittedCalls()}, installed inside
 * authentication). Records rejected one by one for their scope are counted with ingestion's.
 */
public final class RefusalMetrics {
  private final CounterDataPoint unauthenticated;
  private final CounterDataPoint noPermission;
  private final CounterDataPoint outOfScope;

  public RefusalMetrics(PrometheusRegistry registry) {
    Counter refusals = Meters.counter(registry, "tickvault_auth_refusals_total",
        "Calls refused for their token: unauthenticated, no_permission, out_of_scope", "reason");
    unauthenticated = refusals.labelValues("unauthenticated");
    noPermission = refusals.labelValues("no_permission");
    outOfScope = refusals.labelValues("out_of_scope");
  }

  /** A call authentication refused with this status. */
  public void refused(Status.Code code) {
    (code == Status.Code.UNAUTHENTICATED ? unauthenticated : noPermission).inc();
  }

  /** Counts the admitted calls that end PERMISSION_DENIED: refused for their scope. */
  public ServerInterceptor admittedCalls() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                         ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            if (status.getCode() == Status.Code.PERMISSION_DENIED) {
              outOfScope.inc();
            }
            super.close(status, trailers);
          }
        }, headers);
      }
    };
  }
}
