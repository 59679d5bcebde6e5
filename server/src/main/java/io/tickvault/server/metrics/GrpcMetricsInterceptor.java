package io.tickvault.server.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Counts every gRPC call the server answers, by service, method and status code, and times it from
 * arrival to the status being sent. Registered as the outermost interceptor, so calls refused by
 * authentication are counted too (as UNAUTHENTICATED or PERMISSION_DENIED).
 *
 * <p>Names follow the widely used go-grpc-prometheus ones, so existing dashboards work:
 * {@code grpc_server_started_total}, {@code grpc_server_handled_total},
 * {@code grpc_server_msg_received_total}, {@code grpc_server_msg_sent_total} and
 * {@code grpc_server_handling_seconds}.
 */
public final class GrpcMetricsInterceptor implements ServerInterceptor {
  /** Buckets from 0.5 ms (a cache hit) to 30 s (a long ingestion stream). */
  private static final double[] LATENCY_BUCKETS = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  private final Counter started;
  private final Counter handled;
  private final Counter received;
  private final Counter sent;
  private final Histogram latency;
  private final LongSupplier nanoTime;

  public GrpcMetricsInterceptor(PrometheusRegistry registry) {
    this(registry, System::nanoTime);
  }

  GrpcMetricsInterceptor(PrometheusRegistry registry, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    started = Meters.counter(registry, "grpc_server_started_total",
        "gRPC calls started on the server", "grpc_service", "grpc_method", "grpc_type");
    handled = Meters.counter(registry, "grpc_server_handled_total",
        "gRPC calls completed on the server, by status code", "grpc_service", "grpc_method", "grpc_type", "grpc_code");
    received = Meters.counter(registry, "grpc_server_msg_received_total",
        "gRPC messages received from clients (stream requests counted one by one)", "grpc_service", "grpc_method", "grpc_type");
    sent = Meters.counter(registry, "grpc_server_msg_sent_total",
        "gRPC messages sent to clients (stream responses and acks counted one by one)", "grpc_service", "grpc_method", "grpc_type");
    latency = Meters.seconds(registry, "grpc_server_handling_seconds",
        "Time from a call's arrival to its status being sent", LATENCY_BUCKETS, "grpc_service", "grpc_method", "grpc_type");
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    MethodDescriptor<Q, A> method = call.getMethodDescriptor();
    String service = String.valueOf(method.getServiceName());
    String name = String.valueOf(method.getBareMethodName());
    String type = typeOf(method.getType());
    long start = nanoTime.getAsLong();
    started.labelValues(service, name, type).inc();

    // A call ends either with close(status) or, when the client goes away first, with onCancel;
    // whichever comes first is counted, once.
    AtomicBoolean counted = new AtomicBoolean();
    Runnable cancelled = () -> record(counted, service, name, type, Status.Code.CANCELLED, start);
    CounterDataPoint receivedHere = received.labelValues(service, name, type);
    CounterDataPoint sentHere = sent.labelValues(service, name, type);
    ServerCall<Q, A> measured = new SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(A message) {
        sentHere.inc();
        super.sendMessage(message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        record(counted, service, name, type, status.getCode(), start);
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<Q> listener = next.startCall(measured, headers);
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        receivedHere.inc();
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        cancelled.run();
        super.onCancel();
      }
    };
  }

  private void record(AtomicBoolean counted, String service, String method, String type,
      Status.Code code, long start) {
    if (!counted.compareAndSet(false, true)) {
      return;
    }
    handled.labelValues(service, method, type, code.name()).inc();
    latency.labelValues(service, method, type).observe((nanoTime.getAsLong() - start) / 1e9);
  }

  private static String typeOf(MethodDescriptor.MethodType type) {
    switch (type) {
      case UNARY:
        return "unary";
      case CLIENT_STREAMING:
        return "client_stream";
      case SERVER_STREAMING:
        return "server_stream";
      case BIDI_STREAMING:
        return "bidi_stream";
      default:
        return "unknown";
    }
  }
}
