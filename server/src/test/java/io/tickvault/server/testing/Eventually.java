package io.tickvault.server.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The tests' one way to wait, bounded, for what another thread, process or server does: poll
 * until it holds, fail naming what did not happen. Polls at once, then at growing intervals of at
 * most {@link #MAX_POLL_INTERVAL}, so a quick event is seen within a millisecond or two and a slow
 * one does not cost a busy loop on a shared machine.
 */
public final class Eventually {
  static final Duration MAX_POLL_INTERVAL = Duration.ofMillis(20);

  private Eventually() {}

  /**
   * Waits until {@code condition} holds and returns how long that took; fails after
   * {@code timeout}. An exception from the condition ends the wait at once.
   */
  public static Duration await(String what, Duration timeout, BooleanSupplier condition) {
    long started = System.nanoTime();
    poll(what, timeout, condition::getAsBoolean, Boolean::booleanValue);
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /**
   * Calls {@code attempt} until what it returns is {@code done}, and returns that; fails after
   * {@code timeout}. An exception from the attempt ends the wait at once.
   */
  public static <T> T poll(String what, Duration timeout, Supplier<T> attempt, Predicate<? super T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleepMs = 1;
    while (true) {
      T value = attempt.get();
      if (done.test(value)) {
        return value;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(what + ": not within " + timeout.toMillis() + " ms (last: " + value + ")");
      }
      try {
        Thread.sleep(sleepMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(what + ": interrupted while waiting", e);
      }
      sleepMs = Math.min(sleepMs * 2, MAX_POLL_INTERVAL.toMillis());
    }
  }
}
