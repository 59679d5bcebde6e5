package io.tickvault.server.testing;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of a call in a test: its first response, all of them, and how it ended. One
 * observer for what the tests keep asking (a client-streaming call's one answer, a stream's acks,
 * the status a refused call ends with); a sender that steers its own flow control extends it.
 */
public class Responses<T> implements StreamObserver<T> {
  private final List<T> values = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<T> first = new CompletableFuture<>();
  private final CompletableFuture<List<T>> all = new CompletableFuture<>();
  private final CompletableFuture<Status> end = new CompletableFuture<>();

  /** The first response; null when the call completed without one; the call's error when it failed before one. */
  public CompletableFuture<T> first() {
    return first;
  }

  /** Every response, once the call completed; the call's error when it failed. */
  public CompletableFuture<List<T>> all() {
    return all;
  }

  /** How the call ended: OK, or the status it failed with. */
  public CompletableFuture<Status> end() {
    return end;
  }

  /** The responses received so far. */
  public List<T> values() {
    synchronized (values) {
      return List.copyOf(values);
    }
  }

  @Override
  public void onNext(T value) {
    values.add(value);
    first.complete(value);
  }

  @Override
  public void onError(Throwable t) {
    first.completeExceptionally(t);
    all.completeExceptionally(t);
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    first.complete(null);
    all.complete(values());
    end.complete(Status.OK);
  }
}
