package io.tickvault.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BlockingCallsTest {
  /** An executor that runs its tasks only when the test says so. */
  private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
  private final BlockingCalls calls = new BlockingCalls(queued::add, 2);

  @Test
  void pastTheBound_aCallIsAnsweredResourceExhaustedAtOnce_andThePlaceComesBackWhenOneFinishes() {
    Answers first = new Answers();
    Answers second = new Answers();
    Answers third = new Answers();
    calls.respond(first, () -> "1");
    calls.respond(second, () -> "2");
    calls.respond(third, () -> "3");

    assertThat(third.status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(third.status.getDescription()).contains("2 calls are waiting for the database");
    assertThat(queued).hasSize(2);

    queued.poll().run();
    assertThat(first.values).containsExactly("1");
    assertThat(first.completed).isTrue();
    Answers fourth = new Answers();
    calls.respond(fourth, () -> "4");
    assertThat(fourth.status).isNull();
    assertThat(queued).hasSize(2);
  }

  @Test
  void aCallCancelledWhileItWaited_isDroppedWithoutRunning_andFreesItsPlace() {
    AtomicInteger ran = new AtomicInteger();
    Context.CancellableContext context = Context.current().withCancellation();
    Answers answers = new Answers();
    context.run(() -> calls.respond(answers, () -> "x" + ran.incrementAndGet()));
    context.cancel(null); // deadline passed or client gone

    queued.poll().run();

    assertThat(ran).hasValue(0);
    assertThat(answers.values).isEmpty();
    calls.respond(new Answers(), () -> "a");
    calls.respond(new Answers(), () -> "b");
    assertThat(queued).as("both places free again").hasSize(2);
  }

  @Test
  void aFailingBody_answersItsStatus() {
    Answers answers = new Answers();
    calls.respond(answers, () -> {
      throw Errors.invalidArgument("user_id", "is required");
    });
    queued.poll().run();
    assertThat(answers.status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  private static final class Answers implements StreamObserver<String> {
    final List<String> values = new ArrayList<>();
    Status status;
    boolean completed;

    @Override
    public void onNext(String value) {
      values.add(value);
    }

    @Override
    public void onError(Throwable t) {
      status = Status.fromThrowable(t);
    }

    @Override
    public void onCompleted() {
      completed = true;
    }
  }
}
