package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.server.config.ConnectionLimits;
import io.tickvault.server.testing.Responses;
import io.tickvault.server.testing.TestServer;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The limits on one connection, each shown from a client's side against a real Netty port, with
 * short settings so that the test need not wait for the production defaults.
 */
class ConnectionLimitsIT {
  private static final int MAX_STREAMS = 3;
  private static final int MAX_RESETS = 100;

  @RegisterExtension
  static TestServer server = TestServer.netty().configure(b -> b.connectionLimits(new ConnectionLimits(
      MAX_STREAMS, Duration.ofSeconds(2), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(60), Duration.ofSeconds(2),
      MAX_RESETS)).streamIdleTimeout(Duration.ofSeconds(1)));

  private ManagedChannel channel;

  @AfterEach
  void closeChannel() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aSocketThatNeverSendsThePreface_isClosed() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      long start = System.nanoTime();
      InputStream in = socket.getInputStream();
      int read = 0;
      try {
        while (read >= 0) {
          read = in.read(); // the server's SETTINGS, then (once the limit strikes) GOAWAY and the end
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server kept a socket without a preface open for 30 s", e);
      } catch (java.net.SocketException reset) {
        // closed by the server: what we wait for
      }
      System.out.printf("ConnectionLimitsIT: a socket without a preface closed after %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
  }

  @Test
  void streamsPastTheLimit_waitForOneToEnd_onTheSameConnection() throws Exception {
    channel = newChannel();
    CompletableFuture<?>[] watches = new CompletableFuture<?>[MAX_STREAMS];
    ClientCallStreamObserver<?>[] calls = new ClientCallStreamObserver<?>[MAX_STREAMS];
    for (int i = 0; i < MAX_STREAMS; i++) {
      Watch watch = new Watch();
      HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), watch);
      watch.first().get(10, TimeUnit.SECONDS); // open and answered
      watches[i] = watch.first();
      calls[i] = watch.call;
    }

    StatusRuntimeException refused = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
        () -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()));
    assertThat(refused).as("a stream past MAX_CONCURRENT_STREAMS").isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);

    calls[0].cancel("done", null);
    HealthCheckResponse.ServingStatus answered = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (answered == null && System.nanoTime() < deadline) {
      try {
        answered = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus();
      } catch (StatusRuntimeException notYet) {
        // the freed stream is not yet seen by the client: try again
      }
    }
    assertThat(answered).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void aConnectionWithoutCalls_isClosedWhenIdle() throws Exception {
    channel = newChannel();
    HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (channel.getState(false) == ConnectivityState.READY && System.nanoTime() < deadline) {
      Thread.sleep(50); // polling the channel's state
    }
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.IDLE); // the server said GOAWAY
  }

  @Test
  void manyOpenedThenResetStreams_closeTheConnection() throws Exception {
    channel = newChannel();
    Watch longCall = new Watch();
    HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), longCall);
    longCall.first().get(10, TimeUnit.SECONDS);

    for (int i = 0; i < MAX_RESETS * 3 && !longCall.end().isDone(); i++) {
      // Open (answered, so the stream is on the wire and not queued in the client), then reset.
      Watch watch = new Watch();
      HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), watch);
      try {
        watch.first().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException closed) {
        break; // the connection is gone
      }
      watch.call.cancel("reset", null); // RST_STREAM
    }

    // GOAWAY ENHANCE_YOUR_CALM "too_many_rststreams": grpc-java reports it as RESOURCE_EXHAUSTED.
    Status end = longCall.end().get(30, TimeUnit.SECONDS);
    assertThat(end.getCode()).isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE);
    assertThat(end.getDescription()).contains("ENHANCE_YOUR_CALM");
  }

  @Test
  void anIngestionStreamThatSendsNothing_isEndedWithAClearStatus_whileOneThatSendsGoesOn() throws Exception {
    channel = newChannel();
    Responses<IngestTradesAck> silent = new Responses<>();
    var silentRequests = io.tickvault.api.v1.IngestServiceGrpc.newStub(channel).streamTrades(silent);
    silentRequests.onNext(io.tickvault.api.v1.StreamTradesRequest.getDefaultInstance());

    Responses<IngestTradesAck> busy = new Responses<>();
    var busyRequests = io.tickvault.api.v1.IngestServiceGrpc.newStub(channel).streamTrades(busy);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < until) {
      busyRequests.onNext(io.tickvault.api.v1.StreamTradesRequest.getDefaultInstance());
      Thread.sleep(200); // a worker that sends a little, often
    }

    Throwable ended = org.assertj.core.api.Assertions.catchThrowable(() -> silent.all().get(10, TimeUnit.SECONDS));
    Status status = Status.fromThrowable(ended);
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).startsWith("no request for 1 s: the stream is ended");
    assertThat(silent.values()).hasSize(1);

    assertThat(busy.all()).isNotDone();
    busyRequests.onCompleted();
    busy.all().get(10, TimeUnit.SECONDS);
    assertThat(busy.values()).hasSizeGreaterThan(5);
  }

  private static ManagedChannel newChannel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  /** A Health/Watch call: its first answer and how it ended, and the call itself to cancel it. */
  private static final class Watch extends Responses<HealthCheckResponse>
      implements ClientResponseObserver<HealthCheckRequest, HealthCheckResponse> {
    volatile ClientCallStreamObserver<HealthCheckRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> requestStream) {
      call = requestStream;
    }
  }
}
