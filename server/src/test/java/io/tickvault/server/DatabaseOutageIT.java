package io.tickvault.server;

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
 * health says NOT_SERVING promptly all the while.
 */
class DatabaseOutageIT {
  private static final int FLOOD = 2_000;

  @Test
  void whilePostgresIsDown_aFloodIsAnsweredUnavailableAtOnce_andHealthSaysNotServingThroughout() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start();
         Application app = Application.start(InProcessApp.config(postgres.url()).grpcPort(0).bindAddress("127.0.0.1").build())) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", app.grpcPort()).usePlaintext().build();
      try {
        MarketServiceGrpc.newBlockingStub(channel).listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance());
        postgres.stop();
        awaitHealth(channel, ServingStatus.NOT_SERVING);

        HealthProbe probe = HealthProbe.start(channel);
        List<CompletableFuture<Long>> calls = new ArrayList<>();
        List<Status> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < FLOOD; i++) {
          calls.add(listCurrencyPairs(channel, statuses));
        }
        long slowestMillis = 0;
        for (CompletableFuture<Long> call : calls) {
          slowestMillis = Math.max(slowestMillis, call.get(60, TimeUnit.SECONDS));
        }
        probe.stop();

        System.out.printf("DatabaseOutageIT: %d calls, slowest answer %d ms; %d health checks, slowest %d ms%n",
            FLOOD, slowestMillis, probe.checks.get(), probe.slowestMillis.get());
        assertThat(statuses).hasSize(FLOOD).allSatisfy(status -> assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        // "within about a second", with room for a shared, loaded test machine
        assertThat(slowestMillis).isLessThan(2_000);
        assertThat(probe.failure.get()).as("every health check said NOT_SERVING promptly").isNull();
        assertThat(probe.checks.get()).isPositive();

        StatusRuntimeException one = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
            () -> MarketServiceGrpc.newBlockingStub(channel).listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()));
        RetryInfo retry = StatusProto.fromThrowable(one).getDetails(0).unpack(RetryInfo.class);
        assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(1);

        postgres.restart();
        awaitHealth(channel, ServingStatus.SERVING);
        MarketServiceGrpc.newBlockingStub(channel).listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** One async call; completes with how long its answer took, its status added to {@code statuses}. */
  private static CompletableFuture<Long> listCurrencyPairs(ManagedChannel channel, List<Status> statuses) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    long start = System.nanoTime();
    MarketServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance(), new StreamObserver<ListCurrencyPairsResponse>() {
          @Override
          public void onNext(ListCurrencyPairsResponse value) {}

          @Override
          public void onError(Throwable t) {
            statuses.add(Status.fromThrowable(t));
            done.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
          }

          @Override
          public void onCompleted() {
            statuses.add(Status.OK);
            done.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
          }
        });
    return done;
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

  /** Health/Check every 20 ms on a thread of its own; the first one not NOT_SERVING within a second is kept. */
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
            ServingStatus status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
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
