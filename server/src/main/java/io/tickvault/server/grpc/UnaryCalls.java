package io.tickvault.server.grpc;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs the body of a unary call and answers with its result or with the matching status. */
public final class UnaryCalls {
  private UnaryCalls() {}

  public static <T> void respond(StreamObserver<T> observer, Supplier<T> body) {
    T response;
    try {
      response = body.get();
    } catch (RuntimeException e) {
      observer.onError(Errors.toStatus(e));
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }
}
