package io.tickvault.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared backoff with a clock and a random source of the test's own: no sleeping. */
class BackoffTest {
  private static final StatusRuntimeException UNAVAILABLE = Status.UNAVAILABLE.withDescription("restarting").asRuntimeException();

  private long nanos = 1_000_000_000L;
  private double random;
  private final Backoff backoff = new Backoff(Duration.ofMinutes(2), () -> nanos, () -> random);

  @Test
  void unavailable_waitsStepsThatDoubleFrom100msUpTo5s() {
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      waits.add(backoff.after(UNAVAILABLE));
    }

    assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
        Duration.ofMillis(800), Duration.ofMillis(1600), Duration.ofMillis(3200), Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5));
    assertThat(backoff.attempts()).isEqualTo(9);
  }

  @Test
  void jitter_addsUpToHalfTheStep_neverTakesAway() {
    random = 0.5;
    assertThat(backoff.after(UNAVAILABLE)).isEqualTo(Duration.ofMillis(125));
    random = 0.999;
    assertThat(backoff.after(UNAVAILABLE)).isBetween(Duration.ofMillis(200), Duration.ofMillis(300));
  }

  @Test
  void progress_startsTheStepsOver() {
    backoff.after(UNAVAILABLE);
    backoff.after(UNAVAILABLE);
    backoff.after(UNAVAILABLE);

    backoff.progress();

    assertThat(backoff.attempts()).isZero();
    assertThat(backoff.after(UNAVAILABLE)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void aStatusOtherThanUnavailable_withoutRetryInfo_isFinal() {
    assertThat(backoff.after(Status.PERMISSION_DENIED.asRuntimeException())).isNull();
    assertThat(backoff.after(Status.RESOURCE_EXHAUSTED.withDescription("too many streams").asRuntimeException())).isNull();
    assertThat(backoff.attempts()).isZero();
  }

  @Test
  void retryInfo_makesAnyStatusRetryable_andTheWaitIsNeverShorterThanItsDelay() {
    StatusRuntimeException overloaded = withRetryInfo(Code.RESOURCE_EXHAUSTED, Duration.ofSeconds(1));

    assertThat(backoff.after(overloaded)).isEqualTo(Duration.ofSeconds(1));
    random = 0.5;
    assertThat(backoff.after(overloaded)).as("the jitter is added to the server's delay").isEqualTo(Duration.ofMillis(1250));
  }

  @Test
  void retryInfo_shorterThanTheStep_leavesTheStep() {
    StatusRuntimeException databaseDown = withRetryInfo(Code.UNAVAILABLE, Duration.ofSeconds(1));
    for (int i = 0; i < 4; i++) {
      backoff.after(databaseDown); // 1 s each: the steps 100-800 ms are shorter
    }

    assertThat(backoff.after(databaseDown)).isEqualTo(Duration.ofMillis(1600));
  }

  @Test
  void retryFor_passedSinceTheFirstFailure_makesTheFailureFinal_untilProgress() {
    assertThat(backoff.after(UNAVAILABLE)).isNotNull();
    nanos += Duration.ofSeconds(119).toNanos();
    assertThat(backoff.after(UNAVAILABLE)).isNotNull();
    nanos += Duration.ofSeconds(1).toNanos();

    assertThat(backoff.after(UNAVAILABLE)).isNull();
    assertThat(backoff.afterRetryable()).isNull();

    backoff.progress();
    assertThat(backoff.after(UNAVAILABLE)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void aQuietTimeBeforeTheFirstFailure_doesNotCount() {
    backoff.progress();
    nanos += Duration.ofMinutes(10).toNanos(); // a feed with nothing to send

    assertThat(backoff.after(UNAVAILABLE)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void retryForZero_retriesNothing() {
    Backoff never = new Backoff(Duration.ZERO, () -> nanos, () -> random);

    assertThat(never.after(UNAVAILABLE)).isNull();
  }

  @Test
  void afterRetryable_retriesWhateverTheStatus_withTheSameSteps() {
    assertThat(backoff.afterRetryable()).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.after(UNAVAILABLE)).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void retryDelay_readsTheDetail_andIgnoresDetailsOfAnotherCode() {
    StatusRuntimeException hinted = withRetryInfo(Code.UNAVAILABLE, Duration.ofMillis(1500));
    assertThat(Backoff.retryDelay(hinted.getStatus(), hinted.getTrailers())).isEqualTo(Duration.ofMillis(1500));

    assertThat(Backoff.retryDelay(Status.INTERNAL, hinted.getTrailers())).isNull();
    assertThat(Backoff.retryDelay(Status.UNAVAILABLE, null)).isNull();
  }

  private static StatusRuntimeException withRetryInfo(Code code, Duration delay) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber())
        .setMessage("retry later")
        .addDetails(Any.pack(RetryInfo.newBuilder()
            .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                .setSeconds(delay.getSeconds()).setNanos(delay.getNano()))
            .build()))
        .build());
  }
}
