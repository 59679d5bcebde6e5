package io.tickvault.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the client's channel adds to every call, seen from a scripted gRPC server on a real port:
 * the bearer header, retries of UNAVAILABLE, the default deadline. (The client against the real
 * tickvault server is tested in the server module: *CliIT.)
 */
class TickvaultClientTest {
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicInteger attempts = new AtomicInteger();
  private Server server;

  /** A health service failing UNAVAILABLE the first {@code failures} times, or never answering when negative. */
  private String start(int failures) throws Exception {
    HealthGrpc.HealthImplBase health = new HealthGrpc.HealthImplBase() {
      @Override
      public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
        int attempt = attempts.incrementAndGet();
        if (failures < 0) {
          return; // never answers: only the deadline ends the call
        }
        if (attempt <= failures) {
          response.onError(Status.UNAVAILABLE.withDescription("scripted failure " + attempt).asRuntimeException());
          return;
        }
        response.onNext(HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build());
        response.onCompleted();
      }
    };
    ServerInterceptor recordAuthorization = new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String value = headers.get(BearerToken.AUTHORIZATION);
        authorizations.add(value == null ? "(none)" : value);
        return next.startCall(call, headers);
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(health, recordAuthorization)).build().start();
    return "127.0.0.1:" + server.getPort();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void unaryCallFailingUnavailable_isRetriedUntilItSucceeds() throws Exception {
    String target = start(2);

    try (TickvaultClient client = TickvaultClient.builder().target(target).build()) {
      assertThat(client.health("")).isEqualTo(ServingStatus.SERVING);
    }
    assertThat(attempts).hasValue(3);
  }

  @Test
  void retriesStopAtMaxAttempts_andTheLastStatusIsThrown() throws Exception {
    String target = start(10);

    try (TickvaultClient client = TickvaultClient.builder().target(target).maxAttempts(2).build()) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> client.health(""));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).isEqualTo("scripted failure 2");
    }
    assertThat(attempts).hasValue(2);
  }

  @Test
  void everyCallCarriesTheBearerToken_andNoneWithoutAToken() throws Exception {
    String target = start(0);

    try (TickvaultClient client = TickvaultClient.builder().target(target).token("worker-token-0123456789").build()) {
      client.health("");
      client.health("tickvault.v1.ApiKeyService");
    }
    try (TickvaultClient client = TickvaultClient.builder().target(target).build()) {
      client.health("");
    }
    assertThat(authorizations).containsExactly(
        "Bearer worker-token-0123456789", "Bearer worker-token-0123456789", "(none)");
  }

  @Test
  void aServerThatNeverAnswers_endsAtTheDefaultDeadline() throws Exception {
    String target = start(-1);

    long started = System.nanoTime();
    try (TickvaultClient client = TickvaultClient.builder().target(target).deadline(Duration.ofMillis(300)).build()) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> client.health(""));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void badOptions_areRefusedAtOnceNamingTheOption() {
    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> TickvaultClient.builder().target(" ")))
        .hasMessageStartingWith("target:");
    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> TickvaultClient.builder().maxAttempts(6)))
        .hasMessage("maxAttempts: must be 1 to 5, got 6");
    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> TickvaultClient.builder().deadline(Duration.ZERO)))
        .hasMessageStartingWith("deadline: must be positive");
    assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> new BearerToken("has space")))
        .hasMessageStartingWith("token:");
    assertThat(new BearerToken("secret-token-value")).hasToString("BearerToken[redacted]");
  }
}
