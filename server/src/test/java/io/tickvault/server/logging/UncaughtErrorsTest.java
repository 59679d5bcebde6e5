package io.tickvault.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.server.testing.MetricValues;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UncaughtErrorsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicLong nanos = new AtomicLong();
  private final Scheduled scheduled = new Scheduled();
  private final UncaughtErrors errors = new UncaughtErrors(registry, scheduled, nanos::get);
  private final List<Boolean> told = new ArrayList<>();

  @AfterEach
  void stop() {
    scheduled.shutdownNow();
  }

  @Test
  void anExceptionIsCounted_butTheServerStillServes() {
    errors.addListener(told::add);
    errors.uncaughtException(Thread.currentThread(), new IllegalStateException("a bug"));

    assertThat(errors.canServe()).isTrue();
    assertThat(told).isEmpty();
    assertThat(MetricValues.counter(registry, "tickvault_uncaught_errors_total", "kind", "exception")).isEqualTo(1);
  }

  @Test
  void anErrorOfTheJvm_makesTheServerUnableToServe_untilAMinutePassesWithoutAnother() {
    errors.addListener(told::add);
    errors.uncaughtException(Thread.currentThread(), new OutOfMemoryError("Cannot reserve 2097152 bytes"));
    assertThat(errors.canServe()).isFalse();
    assertThat(told).containsExactly(false);

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(40));
    errors.uncaughtException(Thread.currentThread(), new OutOfMemoryError("again"));
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(20)); // a minute after the first, 20 s after the second
    scheduled.runDue();
    assertThat(errors.canServe()).isFalse();

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(40));
    scheduled.runDue();
    assertThat(errors.canServe()).isTrue();
    assertThat(told).containsExactly(false, true);
    assertThat(MetricValues.counter(registry, "tickvault_uncaught_errors_total", "kind", "jvm")).isEqualTo(2);
  }

  /** A scheduler on the test's clock: its tasks run when the test says and their time has come. */
  private final class Scheduled extends ScheduledThreadPoolExecutor {
    private final List<Long> due = new ArrayList<>();
    private final List<Runnable> tasks = new ArrayList<>();

    Scheduled() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
      due.add(nanos.get() + unit.toNanos(delay));
      tasks.add(task);
      return null;
    }

    void runDue() {
      for (int i = 0; i < tasks.size(); i++) {
        if (due.get(i) <= nanos.get()) {
          Runnable task = tasks.remove(i);
          due.remove(i);
          i--;
          task.run();
        }
      }
    }
  }
}
