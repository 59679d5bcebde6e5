package io.tickvault.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventuallyTest {
  @Test
  void await_returnsOnceTheConditionHolds() {
    AtomicInteger calls = new AtomicInteger();

    Duration took = Eventually.await("the third call", Duration.ofSeconds(5), () -> calls.incrementAndGet() == 3);

    assertThat(calls).hasValue(3);
    assertThat(took).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void await_failsNamingWhatDidNotHappen_afterTheTimeout() {
    Throwable error = catchThrowable(() -> Eventually.await("the impossible", Duration.ofMillis(50), () -> false));

    assertThat(error).isInstanceOf(AssertionError.class).hasMessage("the impossible: not within 50 ms (last: false)");
  }

  @Test
  void poll_returnsTheFirstValueThatIsDone() {
    AtomicInteger n = new AtomicInteger();

    assertThat(Eventually.poll("a value over 4", Duration.ofSeconds(5), n::incrementAndGet, v -> v > 4)).isEqualTo(5);
  }

  @Test
  void anExceptionFromTheAttempt_endsTheWaitAtOnce() {
    AtomicInteger calls = new AtomicInteger();

    Throwable error = catchThrowable(() -> Eventually.poll("never", Duration.ofSeconds(5), () -> {
      calls.incrementAndGet();
      throw new IllegalStateException("broken");
    }, v -> true));

    assertThat(error).isInstanceOf(IllegalStateException.class).hasMessage("broken");
    assertThat(calls).hasValue(1);
  }
}
