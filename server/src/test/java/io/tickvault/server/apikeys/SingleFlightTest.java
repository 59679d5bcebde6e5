package io.tickvault.server.apikeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickvault.server.testing.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleFlightTest {
  @Test
  void callersThatJoinARunningLoad_shareItsResult() throws Exception {
    AtomicInteger joined = new AtomicInteger();
    SingleFlight<String, String> flight = new SingleFlight<>(joined::incrementAndGet);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> flight.load("k", () -> {
          runs.incrementAndGet();
          await(release);
          return "v";
        })));
      }
      Eventually.await("7 callers joined the first load", Duration.ofSeconds(10), () -> joined.get() == 7);
      release.countDown();
      for (Future<String> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("v");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(runs).hasValue(1);
    assertThat(joined).hasValue(7);
  }

  @Test
  void aFailedLoad_failsItsCallerAndTheNextLoadRunsAgain() {
    SingleFlight<String, String> flight = new SingleFlight<>(() -> {});

    assertThatThrownBy(() -> flight.load("k", () -> {
      throw new IllegalStateException("database down");
    })).hasMessage("database down");
    assertThat(flight.load("k", () -> "v")).isEqualTo("v");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
