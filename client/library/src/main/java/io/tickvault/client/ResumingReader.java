package io.tickvault.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.AuditRecord;
import io.tickvault.api.v1.AuditServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadAuditLogRequest;
import io.tickvault.api.v1.ReadAuditLogResponse;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadOrderBooksResponse;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeOrderBooksResponse;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.api.v1.Trade;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads a paged stream ({@code ReadTrades}, {@code ReadOrderBooks}, {@code ReadAuditLog}, and the endless
 * {@code SubscribeTrades} and {@code SubscribeOrderBooks}) record by record, in the stream's order, and survives the stream breaking.
 *
 * <p>Every page the server sends carries the token that resumes the read right after it. When the
 * call fails with UNAVAILABLE (a replica restarting, PostgreSQL away) or a status whose
 * {@code RetryInfo} says when to come back, or no page arrives within {@link Options#pageTimeout},
 * the reader opens a new call with the same request and the last token it received, after a
 * backoff ({@link Backoff}), so the caller sees every record once, in order: none missed, none
 * twice. It gives up after {@link Options#retryFor} without a page; any other status
 * (INVALID_ARGUMENT, PERMISSION_DENIED...) is final. Failures surface as a
 * {@link StatusRuntimeException} from {@link #hasNext()} or {@link #next()}.
 *
 * <p>At most {@value #PAGES_AHEAD} pages are asked for ahead of the one being read, so a slow
 * caller holds the server back instead of filling memory.
 *
 * <pre>{@code
 * try (ResumingReader<Trade> trades = client.readTrades(ReadTradesRequest.newBuilder()
 *     .setExchangeId(1).setCurrencyPairNo(1).setStartTimeMs(from).setEndTimeMs(to).build())) {
 *   while (trades.hasNext()) {
 *     Trade trade = trades.next();
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one thread reads. Close it when stopping early: that cancels the call.
 *
 * @param <R> the record: a trade, an order book snapshot
 */
public final class ResumingReader<R> implements Iterator<R>, AutoCloseable {
  /**
   * How long to wait and how long to keep trying.
   *
   * @param pageTimeout a call that brings no page for this long is abandoned and resumed
   * @param retryFor how long to keep reconnecting without receiving any page before giving up
   * @param callOptions options for each call: credentials, compression... (no deadline: a read's
   *     length depends on the data)
   */
  public record Options(Duration pageTimeout, Duration retryFor, CallOptions callOptions) {
    public static final Options DEFAULT = new Options(Duration.ofSeconds(30), Duration.ofMinutes(2), CallOptions.DEFAULT);

    public Options {
      if (pageTimeout.isNegative() || pageTimeout.isZero() || retryFor.isNegative()) {
        throw new IllegalArgumentException("pageTimeout must be positive and retryFor not negative, got "
            + pageTimeout + " and " + retryFor);
      }
    }

    public Options withPageTimeout(Duration timeout) {
      return new Options(timeout, retryFor, callOptions);
    }

    public Options withRetryFor(Duration duration) {
      return new Options(pageTimeout, duration, callOptions);
    }

    public Options withCallOptions(CallOptions options) {
      return new Options(pageTimeout, retryFor, options);
    }
  }

  /** Pages asked for ahead of the one the caller reads. */
  static final int PAGES_AHEAD = 2;

  private record Page<R>(List<R> records, String nextToken) {}

  /** How a call ended. */
  private record Closed(Status status, Metadata trailers) {}

  private final Function<String, PageStream<R>> open;
  private final Options options;
  private PageStream<R> call; // null between calls
  private Iterator<R> page = Collections.emptyIterator();
  private String resumeToken;
  private boolean finished;
  private int reconnects;
  private long pages;
  private final Backoff backoff;
  // The retention horizon the pages of a range read gave (retained_from_ms); set by trades() and orderBooks().
  private java.util.concurrent.atomic.AtomicLong retainedFrom = new java.util.concurrent.atomic.AtomicLong();

  private ResumingReader(Function<String, PageStream<R>> open, String firstToken, Options options) {
    this.open = open;
    this.resumeToken = firstToken;
    this.options = options;
    this.backoff = new Backoff(options.retryFor());
  }

  /** Trades of {@code request}'s market and range; resumes with other page tokens of the same request. */
  public static ResumingReader<Trade> trades(Channel channel, ReadTradesRequest request, Options options) {
    java.util.concurrent.atomic.AtomicLong retainedFrom = new java.util.concurrent.atomic.AtomicLong();
    ResumingReader<Trade> reader = of(channel, QueryServiceGrpc.getReadTradesMethod(), options, request.getPageToken(),
        token -> request.toBuilder().setPageToken(token).build(),
        page -> {
          retainedFrom.accumulateAndGet(page.getRetainedFromMs(), Math::max);
          return page.getTradesList();
        }, ReadTradesResponse::getNextPageToken);
    reader.retainedFrom = retainedFrom;
    return reader;
  }

  /**
   * For ReadTrades and ReadOrderBooks: the retention horizon the server gave with the pages
   * received (their {@code retained_from_ms}): the range starts before it, and the records before
   * it were removed as older than the server's retention window; what is left is read. 0: the
   * server said nothing of the kind (or no page was received yet).
   */
  public long retainedFromMs() {
    return retainedFrom.get();
  }

  /**
   * The trades of {@code request}'s markets as they are committed, after the stored ones from its
   * start time (SubscribeTrades): a stream without end, resumed with the last resume token like a
   * read, so the caller sees every trade once. A market quiet for longer than the page timeout
   * makes the reader open a new call (cheap; give a longer timeout to avoid it).
   */
  public static ResumingReader<Trade> subscribeTrades(Channel channel, SubscribeTradesRequest request, Options options) {
    return of(channel, QueryServiceGrpc.getSubscribeTradesMethod(), options, request.getResumeToken(),
        token -> request.toBuilder().setResumeToken(token).build(),
        SubscribeTradesResponse::getTradesList, SubscribeTradesResponse::getResumeToken);
  }

  /**
   * The order book snapshots of {@code request}'s markets as they are committed, after the stored
   * ones from its start time, each cut to the request's depth (SubscribeOrderBooks): resumed as
   * {@link #subscribeTrades}.
   */
  public static ResumingReader<OrderBookSnapshot> subscribeOrderBooks(Channel channel, SubscribeOrderBooksRequest request,
                                                                      Options options) {
    return of(channel, QueryServiceGrpc.getSubscribeOrderBooksMethod(), options, request.getResumeToken(),
        token -> request.toBuilder().setResumeToken(token).build(),
        SubscribeOrderBooksResponse::getSnapshotsList, SubscribeOrderBooksResponse::getResumeToken);
  }

  /** The token that resumes right after the last page received: what a caller keeps to resume in another process. */
  public String resumeToken() {
    return resumeToken;
  }

  /** The audit records of {@code request}'s range (and user or token), oldest first. */
  public static ResumingReader<AuditRecord> auditLog(Channel channel, ReadAuditLogRequest request, Options options) {
    return of(channel, AuditServiceGrpc.getReadAuditLogMethod(), options, request.getPageToken(),
        token -> request.toBuilder().setPageToken(token).build(),
        ReadAuditLogResponse::getRecordsList, ReadAuditLogResponse::getNextPageToken);
  }

  /** Order book snapshots of {@code request}'s market and range, each cut to its depth. */
  public static ResumingReader<OrderBookSnapshot> orderBooks(Channel channel, ReadOrderBooksRequest request, Options options) {
    java.util.concurrent.atomic.AtomicLong retainedFrom = new java.util.concurrent.atomic.AtomicLong();
    ResumingReader<OrderBookSnapshot> reader = of(channel, QueryServiceGrpc.getReadOrderBooksMethod(), options,
        request.getPageToken(), token -> request.toBuilder().setPageToken(token).build(),
        page -> {
          retainedFrom.accumulateAndGet(page.getRetainedFromMs(), Math::max);
          return page.getSnapshotsList();
        }, ReadOrderBooksResponse::getNextPageToken);
    reader.retainedFrom = retainedFrom;
    return reader;
  }

  /** Whether a record is left; waits for the next page, reconnecting if need be. */
  @Override
  public boolean hasNext() {
    while (!page.hasNext()) {
      if (finished) {
        return false;
      }
      fetchPage();
    }
    return true;
  }

  @Override
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the read is complete");
    }
    return page.next();
  }

  /** The records left, as a sequential stream; closing the stream closes this reader. */
  public Stream<R> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(this::close);
  }

  /** Calls opened again after a broken stream so far. */
  public int reconnects() {
    return reconnects;
  }

  /** Pages received so far, over every call. */
  public long pages() {
    return pages;
  }

  /** Cancels the call if it is still open; {@link #hasNext()} is false from now on. */
  @Override
  public void close() {
    finished = true;
    page = Collections.emptyIterator();
    if (call != null) {
      call.cancel("reader closed");
      call = null;
    }
  }

  private void fetchPage() {
    if (call == null) {
      call = open.apply(resumeToken);
    }
    Object arrival;
    try {
      arrival = call.arrivals.poll(options.pageTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw Status.CANCELLED.withDescription("interrupted while waiting for a page").withCause(e).asRuntimeException();
    }
    if (arrival == null) {
      call.cancel("no page within " + options.pageTimeout());
      call = null;
      Status stalled = Status.DEADLINE_EXCEEDED.withDescription("no page within " + options.pageTimeout().toMillis() + " ms");
      waitOrThrow(backoff.afterRetryable(), stalled, null);
      return;
    }
    if (arrival instanceof Page<?>) {
      @SuppressWarnings("unchecked")
      Page<R> received = (Page<R>) arrival;
      pages++;
      page = received.records().iterator();
      backoff.progress();
      if (received.nextToken().isEmpty()) {
        finished = true; // the last page: the server closes the call itself
        call = null;
      } else {
        resumeToken = received.nextToken();
        call.request(1);
      }
      return;
    }
    Closed closed = (Closed) arrival;
    call = null;
    if (closed.status().isOk()) {
      finished = true; // ended without an empty token: the server says there is no more
      return;
    }
    waitOrThrow(backoff.after(closed.status(), closed.trailers()), closed.status(), closed.trailers());
  }

  /** Sleeps the backoff's wait before the next call, or throws the status when there is none. */
  private void waitOrThrow(Duration wait, Status status, Metadata trailers) {
    if (wait == null) {
      finished = true;
      throw status.asRuntimeException(trailers);
    }
    try {
      Thread.sleep(wait.toMillis(), wait.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = true;
      throw Status.CANCELLED.withDescription("interrupted while waiting to reconnect").withCause(e).asRuntimeException();
    }
    reconnects++;
  }

  /**
   * A reader of a paged RPC from {@code firstToken}: each call starts from a token ({@code request}
   * makes its request), and its pages ({@code records}, {@code nextToken}) and closing status
   * arrive, in order, in the stream's queue.
   */
  private static <Q, P, R> ResumingReader<R> of(Channel channel, MethodDescriptor<Q, P> method, Options options,
      String firstToken, Function<String, Q> request, Function<P, List<R>> records, Function<P, String> nextToken) {
    CallOptions callOptions = options.callOptions();
    return new ResumingReader<>(token -> {
      ClientCall<Q, P> clientCall = channel.newCall(method, callOptions);
      PageStream<R> stream = new PageStream<>(clientCall);
      clientCall.start(new ClientCall.Listener<P>() {
        @Override
        public void onMessage(P message) {
          stream.arrivals.add(new Page<>(records.apply(message), nextToken.apply(message)));
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          stream.closed = true;
          stream.arrivals.add(new Closed(status, trailers));
        }
      }, new Metadata());
      clientCall.sendMessage(request.apply(token));
      clientCall.halfClose();
      clientCall.request(PAGES_AHEAD);
      return stream;
    }, firstToken, options);
  }

  /** One call: what it delivered so far, unread. */
  private static final class PageStream<R> {
    // Bounded by the pages requested (PAGES_AHEAD ahead of the reader) plus the closing status.
    final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
    final ClientCall<?, ?> call;
    volatile boolean closed;

    PageStream(ClientCall<?, ?> call) {
      this.call = call;
    }

    void request(int pages) {
      call.request(pages);
    }

    void cancel(String why) {
      if (!closed) {
        call.cancel(why, null);
      }
    }
  }
}
