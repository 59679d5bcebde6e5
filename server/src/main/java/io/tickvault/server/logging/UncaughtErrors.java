package io.tickvault.server.logging;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of an exception or error that no code caught on one of the server's threads, instead
 * of a stack trace on standard error and a thread gone: a log line with the stack trace (at most one
 * per 10 s, with a count of the rest), a count in {@code tickvault_uncaught_errors_total}, and for
 * an error of the JVM itself ({@link VirtualMachineError}: out of heap, of direct memory, of stack)
 * a server that says it cannot serve: health NOT_SERVING until {@link #UNHEALTHY_FOR} passes without
 * another, so that an orchestrator sends the callers elsewhere meanwhile.
 */
public final class UncaughtErrors implements Thread.UncaughtExceptionHandler {
  public static final Duration UNHEALTHY_FOR = Duration.ofSeconds(60);
  private static final Logger log = LoggerFactory.getLogger(UncaughtErrors.class);

  /** Told when the server starts or stops being able to serve; called on the thread that found out. */
  @FunctionalInterface
  public interface Listener {
    void canServeChanged(boolean canServe);
  }

  private final RateLimitedLog lines = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());
  private final Counter errors;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier nanoTime;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private long lastFatalNanos; // guarded by this
  private boolean canServe = true; // guarded by this

  public UncaughtErrors(PrometheusRegistry registry, ScheduledExecutorService scheduler, LongSupplier nanoTime) {
    this.errors = Counter.builder()
        .name("tickvault_uncaught_errors_total")
        .help("Exceptions and errors no code caught on a server thread, by kind: exception, error, jvm "
            + "(out of memory or stack: health says NOT_SERVING for a minute after one)")
        .labelNames("kind")
        .register(registry);
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  public synchronized boolean canServe() {
    return canServe;
  }

  @Override
  public void uncaughtException(Thread thread, Throwable error) {
    boolean jvm = error instanceof VirtualMachineError;
    errors.labelValues(jvm ? "jvm" : error instanceof Error ? "error" : "exception").inc();
    lines.error("uncaught on thread " + thread.getName() + (jvm ? " (health NOT_SERVING for the next "
        + UNHEALTHY_FOR.toSeconds() + " s)" : "") + ": " + error, error);
    if (jvm) {
      boolean changed;
      synchronized (this) {
        lastFatalNanos = nanoTime.getAsLong();
        changed = canServe;
        canServe = false;
      }
      if (changed) {
        listeners.forEach(l -> l.canServeChanged(false));
      }
      try {
        scheduler.schedule(this::recoverIfQuiet, UNHEALTHY_FOR.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // the server is stopping
      }
    }
  }

  /** Serving again once {@link #UNHEALTHY_FOR} has passed since the last error of the JVM. */
  private void recoverIfQuiet() {
    synchronized (this) {
      if (canServe || nanoTime.getAsLong() - lastFatalNanos < UNHEALTHY_FOR.toNanos()) {
        return; // a later error scheduled its own check
      }
      canServe = true;
    }
    log.info("no error of the JVM for {} s: the server reports SERVING again (if PostgreSQL answers)",
        UNHEALTHY_FOR.toSeconds());
    listeners.forEach(l -> l.canServeChanged(true));
  }
}
