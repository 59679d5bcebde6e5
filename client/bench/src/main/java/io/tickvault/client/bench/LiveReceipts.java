package io.tickvault.client.bench;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * A benchmark's subscriber: hands each response to {@code take} with its arrival time
 * ({@link System#nanoTime()}) and knows when the subscription has joined history to live data.
 */
final class LiveReceipts<R> implements StreamObserver<R> {
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final BiConsumer<R, Long> take;
  private final Predicate<R> joined;
  private final PrintStream out;

  LiveReceipts(BiConsumer<R, Long> take, Predicate<R> joined, PrintStream out) {
    this.take = take;
    this.joined = joined;
    this.out = out;
  }

  @Override
  public void onNext(R response) {
    take.accept(response, System.nanoTime());
    if (joined.test(response)) {
      caughtUp.countDown();
    }
  }

  @Override
  public void onError(Throwable t) {
    out.println("subscription ended: " + t);
  }

  @Override
  public void onCompleted() {}

  /** Waits until the subscription is live, so what the benchmark writes next is timed as live data. */
  void awaitCaughtUp() throws InterruptedException {
    if (!caughtUp.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the subscription did not start within 30 s");
    }
  }

  /**
   * Reads a subscription's history (opened by {@code open} on a blocking stub) until it catches up,
   * then cancels it; returns the records it counted.
   */
  static <R> long historyUntilCaughtUp(Supplier<Iterator<R>> open, ToIntFunction<R> records, Predicate<R> joined)
      throws Exception {
    long counted = 0;
    Context.CancellableContext context = Context.current().withCancellation();
    try {
      Iterator<R> responses = context.call(open::get);
      while (responses.hasNext()) {
        R r = responses.next();
        counted += records.applyAsInt(r);
        if (joined.test(r)) {
          break;
        }
      }
    } finally {
      context.cancel(null);
    }
    return counted;
  }
}
