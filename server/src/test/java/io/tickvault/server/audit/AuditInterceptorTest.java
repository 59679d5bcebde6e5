package io.tickvault.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetApiKeysResponse;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.MetricValues;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret's answer as the audit holds it, on a Netty server as in production: nothing of it (not
 * even its headers) leaves before its record is durable, and once it is, it leaves from the event
 * loop that read the call. PostgreSQL is never tried here: records go to the spool.
 */
class AuditInterceptorTest {
  private static final String METHOD = ApiKeyServiceGrpc.getGetApiKeysMethod().getFullMethodName();

  @TempDir
  Path spool;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private AuditLog log;
  private Server server;
  private ManagedChannel channel;
  /** What the client saw arrive, in order: "headers", "message", then the status code. */
  private final List<String> arrived = new CopyOnWriteArrayList<>();
  private final AtomicReference<Thread> readOn = new AtomicReference<>();
  private final AtomicReference<Thread> closedOn = new AtomicReference<>();

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    log.close();
  }

  @Test
  void onceItsRecordIsDurable_theAnswerLeavesWithItsHeaders_fromTheEventLoopThatReadTheCall() throws Exception {
    start(true);
    GetApiKeysResponse answer = call();
    assertThat(answer.getApiKeys(0).getAccessKey()).isEqualTo("AK-1");
    assertThat(arrived).containsExactly("headers", "message", "OK");
    assertThat(closedOn.get()).isSameAs(readOn.get());
    assertThat(MetricValues.counter(registry, "tickvault_audit_records_total", "outcome", "spooled")).isEqualTo(1);
  }

  @Test
  void whenItsRecordIsNeverDurable_nothingOfTheAnswerLeaves_andTheCallIsUnavailable() throws Exception {
    start(false); // the writer never runs
    StatusRuntimeException e = catchThrowableOfType(this::call, StatusRuntimeException.class);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(arrived).containsExactly("UNAVAILABLE");
  }

  private GetApiKeysResponse call() {
    return ApiKeyServiceGrpc.newBlockingStub(channel).withInterceptors(new Arrivals())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getApiKeys(GetApiKeysRequest.newBuilder().setUserId("u1").build());
  }

  private void start(boolean writing) throws Exception {
    log = new AuditLog(AuditKeys.of(new byte[32], List.of()), new AuditRepository(new Jdbc(null)), spool, 1 << 20,
        () -> false, registry, Clock.systemUTC(), System::nanoTime);
    if (writing) {
      log.start();
    }
    ServerServiceDefinition service = ServerServiceDefinition.builder(ApiKeyServiceGrpc.SERVICE_NAME)
        .addMethod(ApiKeyServiceGrpc.getGetApiKeysMethod(), ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(GetApiKeysResponse.newBuilder().addApiKeys(ApiKey.newBuilder().setAccessKey("AK-1")).build());
          response.onCompleted();
        }))
        .build();
    AuditInterceptor audit = new AuditInterceptor(log, Set.of(METHOD), Set.of(), Clock.systemUTC());
    // directExecutor: the call is read and answered on the event loop, as a near-cache hit is.
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
        .addService(ServerInterceptors.intercept(service, audit, new Threads()))
        .build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  /** Outside the audit: the thread that read the call, and the one that closed it. */
  private final class Threads implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      readOn.set(Thread.currentThread());
      return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        @Override
        public void close(Status status, Metadata trailers) {
          closedOn.set(Thread.currentThread());
          super.close(status, trailers);
        }
      }, headers);
    }
  }

  private final class Arrivals implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onHeaders(Metadata headers) {
              arrived.add("headers");
              super.onHeaders(headers);
            }

            @Override
            public void onMessage(R message) {
              arrived.add("message");
              super.onMessage(message);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              arrived.add(status.getCode().name());
              super.onClose(status, trailers);
            }
          }, headers);
        }
      };
    }
  }
}
