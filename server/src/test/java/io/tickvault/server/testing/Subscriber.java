package io.tickvault.server.testing;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A subscription call (SubscribeOrderBooks, or any stream of records with a resume_token and
 * caught_up) that keeps what it receives: the records, the last resume token, whether it has
 * caught up, how it ended; and that cancels itself once {@code cancelWhen} holds for what it has
 * received (a client whose connection broke part-way: nothing after is delivered to it).
 *
 * @param <Q> the request
 * @param <R> the response
 * @param <T> a record of a response
 */
public class Subscriber<Q, R, T> implements ClientResponseObserver<Q, R> {
  /** What a response holds. */
  public record Fields<R, T>(Function<R, List<T>> records, Function<R, String> resumeToken, Predicate<R> caughtUp) {}

  private final Fields<R, T> fields;
  private final Predicate<Subscriber<Q, R, T>> cancelWhen;
  private final List<T> records = new ArrayList<>();
  private final CompletableFuture<Status> end = new CompletableFuture<>();
  private ClientCallStreamObserver<Q> call;
  private String lastToken = "";
  private boolean caughtUp;
  private int responses;

  public Subscriber(Fields<R, T> fields, Predicate<Subscriber<Q, R, T>> cancelWhen) {
    this.fields = fields;
    this.cancelWhen = cancelWhen;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
    call = requestStream;
  }

  @Override
  public final synchronized void onNext(R response) {
    if (end.isDone()) {
      return;
    }
    responses++;
    records.addAll(fields.records().apply(response));
    caughtUp |= fields.caughtUp().test(response);
    lastToken = fields.resumeToken().apply(response);
    if (cancelWhen.test(this)) {
      end.complete(Status.CANCELLED);
      call.cancel("the test cuts the subscription", null);
    }
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
  }

  public synchronized List<T> records() {
    return new ArrayList<>(records);
  }

  public synchronized int count() {
    return records.size();
  }

  public synchronized String lastToken() {
    return lastToken;
  }

  public synchronized boolean caughtUp() {
    return caughtUp;
  }

  public synchronized int responses() {
    return responses;
  }

  public CompletableFuture<Status> end() {
    return end;
  }

  public void cancel() {
    end.complete(Status.CANCELLED);
    call.cancel("the test is done", null);
  }

  /**
   * Waits until the subscribers have received {@code expected} records between them, and a moment
   * more for anything extra; the caller then compares what they received.
   */
  public static void awaitDelivered(List<? extends Subscriber<?, ?, ?>> subscribers, int expected, Duration within) {
    try {
      Eventually.await(expected + " records delivered", within,
          () -> subscribers.stream().mapToInt(Subscriber::count).sum() >= expected);
    } catch (AssertionError e) {
      // the caller's comparison shows which
    }
    long until = System.nanoTime() + Duration.ofMillis(700).toNanos();
    Eventually.await("a moment for anything extra", Duration.ofSeconds(5), () -> System.nanoTime() > until);
  }
}
