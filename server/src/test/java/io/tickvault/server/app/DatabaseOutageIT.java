package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.RetryInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.ListCurrencyPairsResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.OwnPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped under a flood of calls, over a real Netty port: the server answers each call
 * UNAVAILABLE at once with a retry hint instead of queueing it behind connection timeouts, and
 * health says NOT_SERVING promptly all the while. The flood comes over 20 connections of 100 calls
 * (the per-connection stream limit), so no call waits in its client for a stream. "At once" is
 * judged against the same flood of health checks, which never touch the database, measured in the
 * same run: the test machine is shared and its speed varies.
 */
class DatabaseOutageIT {
  private static final int CONNECTIONS = 20;
  private static final int CALLS_PER_CONNECTION = 100;

  @Test
  void whilePostgresIsDown_aFloodIsAnsweredUnavailableAtOnce_andHealthSaysNotServingThroughout() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start();
         Application app = Application.start(InProcessApp.config(postgres.url()).grpcPort(0).bindAddress("127.0.0.1").build())) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", app.grpcPort()).usePlaintext().build();
      List<ManagedChannel> flood = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        flood.add(NettyChannelBuilder.forAddress("127.0.0.1", app.grpcPort()).usePlaintext().build());
      }
      try {
        MarketServiceGrpc.newBlockingStub(channel).listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance());
        List<Status> reference = java.util.Collections.synchronizedList(new ArrayList<>());
        long referenceMillis = slowest(flood, c -> healthCheck(c, reference));
        postgres.stop();
        awaitHealth(channel, ServingStatus.NOT_SERVING);

        HealthProbe probe = HealthProbe.start(channel); // a connection of its own, as a real probe has
        List<Status> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        long slowestMillis = slowest(flood, c -> listCurrencyPairs(c, statuses));
        probe.stop();

        System.out.printf("DatabaseOutageIT: %d ListCurrencyPairs while PostgreSQL is down: slowest answer %d ms"
                + " (the same flood of Health/Check before: %d ms); %d health checks meanwhile, slowest %d ms%n",
            statuses.size(), slowestMillis, referenceMillis, probe.checks.get(), probe.slowestMillis.get());
        assertThat(statuses).hasSize(CONNECTIONS * CALLS_PER_CONNECTION)
            .allSatisfy(status -> assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        // About a second on a quiet machine; never the 3 s connection timeout per call of a queue.
        assertThat(slowestMillis).isLessThan(Math.max(1_000, 3 * referenceMillis));
        assertThat(probe.failure.get()).as("every health check said NOT_SERVING").isNull();
        assertThat(probe.checks.get()).isPositive();
        // Promptly: a check beside the outage flood waits no longer than the flood's own calls may.
        assertThat(probe.slowestMillis.get()).isLessThan(Math.max(1_000, 3 * referenceMillis));

        StatusRuntimeException one = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
            () -> MarketServiceGrpc.newBlockingStub(channel).listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()));
        RetryInfo retry = StatusProto.fromThrowable(one).getDetails(0).unpack(RetryInfo.class);
        assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(1);

        postgres.restart();
        awaitHealth(channel, ServingStatus.SERVING);
        MarketServiceGrpc.newBlockingStub(channel).listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance());
      } finally {
        channel.shutdownNow();
        flood.forEach(ManagedChannel::shutdownNow);
      }
    }
  }

  /** CALLS_PER_CONNECTION calls on each channel at once; the longest any of them took to be answered, in ms. */
  private static long slowest(List<ManagedChannel> channels,
                              java.util.function.Function<ManagedChannel, CompletableFuture<Long>> call) throws Exception {
    List<CompletableFuture<Long>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS_PER_CONNECTION; i++) {
      for (ManagedChannel c : channels) {
        calls.add(call.apply(c));
      }
    }
    long slowest = 0;
    for (CompletableFuture<Long> c : calls) {
      slowest = Math.max(slowest, c.get(60, TimeUnit.SECONDS));
    }
    return slowest;
  }

  private static CompletableFuture<Long> listCurrencyPairs(ManagedChannel channel, List<Status> statuses) {
    Answer<ListCurrencyPairsResponse> answer = new Answer<>(statuses);
    MarketServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance(), answer);
    return answer.done;
  }

  private static CompletableFuture<Long> healthCheck(ManagedChannel channel, List<Status> statuses) {
    Answer<io.grpc.health.v1.HealthCheckResponse> answer = new Answer<>(statuses);
    HealthGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance(), answer);
    return answer.done;
  }

  /** How one async call ended (added to {@code statuses}) and how long it took, in ms. */
  private static final class Answer<T> implements StreamObserver<T> {
    final CompletableFuture<Long> done = new CompletableFuture<>();
    private final List<Status> statuses;
    private final long start = System.nanoTime();

    Answer(List<Status> statuses) {
      this.statuses = statuses;
    }

    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {
      end(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end(Status.OK);
    }

    private void end(Status status) {
      statuses.add(status);
      done.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
  }

  private static void awaitHealth(ManagedChannel channel, ServingStatus expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    ServingStatus status = null;
    while (System.nanoTime() < deadline && status != expected) {
      try {
        status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus();
      } catch (StatusRuntimeException e) {
        status = null;
      }
      Thread.sleep(100); // polling the server's health
    }
    assertThat(status).isEqualTo(expected);
  }

  /** Health/Check every 20 ms on a thread of its own: how many, the slowest, and the first one not NOT_SERVING. */
  private static final class HealthProbe {
    final AtomicLong checks = new AtomicLong();
    final AtomicLong slowestMillis = new AtomicLong();
    final java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);

    static HealthProbe start(ManagedChannel channel) {
      HealthProbe probe = new HealthProbe();
      Thread thread = new Thread(() -> probe.run(channel), "health-probe");
      thread.setDaemon(true);
      thread.start();
      return probe;
    }

    private void run(ManagedChannel channel) {
      try {
        while (running.get()) {
          long start = System.nanoTime();
          try {
            ServingStatus status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
            if (status != ServingStatus.NOT_SERVING) {
              failure.compareAndSet(null, "health said " + status);
            }
          } catch (StatusRuntimeException e) {
            failure.compareAndSet(null, "health check failed: " + e.getStatus());
          }
          checks.incrementAndGet();
          slowestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
          Thread.sleep(20);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        stopped.countDown();
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      stopped.await(10, TimeUnit.SECONDS);
    }
  }
}
