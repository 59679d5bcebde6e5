package io.tickvault.server.read;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.server.grpc.Errors;

/**
 * Sends a server stream page by page at the pace of the client: the next page is fetched only
 * while the call is ready ({@link ServerCallStreamObserver#isReady()}), and the on-ready handler
 * resumes when the client has taken what was sent. A slow client therefore stops the reads from
 * PostgreSQL instead of filling the server's memory; a cancelled call stops them for good.
 *
 * <p>The call counts as ready while less than {@link #BUFFERED_BYTES} wait to be sent (gRPC's
 * default is 32 KiB, less than one page): the next page's query then overlaps the sending of the
 * previous one, instead of PostgreSQL and the network taking turns, and a call still holds at most
 * that much plus one page.
 *
 * <p>gRPC runs the on-ready handler and the service method serialized on the call's executor (the
 * server's bounded pool of blocking threads), so the fetches never run on a transport thread and
 * never overlap.
 *
 * @param <T> the page message
 */
public final class PagedStream<T> implements Runnable {
  static final int BUFFERED_BYTES = 1024 * 1024;

  /** Fetches pages in order; blocking. */
  public interface Pager<T> {
    Page<T> next();
  }

  /** One page and whether it is the last one. */
  public record Page<T>(T message, boolean last) {}

  private final ServerCallStreamObserver<T> call;
  private final Pager<T> pager;
  private boolean done;

  private PagedStream(ServerCallStreamObserver<T> call, Pager<T> pager) {
    this.call = call;
    this.pager = pager;
  }

  /** Starts sending; call from the service method, which may then return. */
  public static <T> void serve(StreamObserver<T> responses, Pager<T> pager) {
    ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) responses;
    PagedStream<T> stream = new PagedStream<>(call, pager);
    // With a handler set, a page sent after the client cancelled is dropped instead of throwing;
    // the loop sees the cancellation through isCancelled() and stops fetching.
    call.setOnCancelHandler(() -> {});
    call.setOnReadyThreshold(BUFFERED_BYTES);
    call.setOnReadyHandler(stream);
    stream.run();
  }

  @Override
  public void run() {
    while (!done && !call.isCancelled() && call.isReady()) {
      Page<T> page;
      try {
        page = pager.next();
      } catch (RuntimeException e) {
        done = true;
        call.onError(Errors.toStatus(e));
        return;
      }
      call.onNext(page.message());
      if (page.last()) {
        done = true;
        call.onCompleted();
      }
    }
  }
}
