package io.tickvault.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Streams trades to {@code tickvault.v1.IngestService/StreamTrades} for as long as a worker runs,
 * and survives the server or its database going away.
 *
 * <p>Trades are gathered into requests of at most {@link Options#maxBatchTrades} trades and about
 * {@link Options#maxBatchBytes} bytes. A request is sent only while the call is ready and fewer
 * than {@link Options#maxUnacknowledged} requests await their acknowledgement, so a slow server
 * holds the writing thread back instead of filling memory. The server acknowledges each request
 * once its trades are committed; {@link #acknowledgedTrades()} counts the trades acknowledged so
 * far, in write order, so a worker can checkpoint its source up to there.
 *
 * <p>When the call fails with UNAVAILABLE (server restarting, PostgreSQL down), or with a status
 * whose {@code RetryInfo} says when to come back, the writer opens a new call after a backoff
 * (with jitter, never shorter than the server's delay: see {@link Backoff}) and sends again every
 * request not yet acknowledged, in order; the server stores each trade key once, so nothing is
 * lost and nothing is doubled. It gives up after {@link Options#retryFor} without any
 * acknowledgement. Any other status (PERMISSION_DENIED, INVALID_ARGUMENT...) is final and is thrown
 * by the next {@link #write}, {@link #flush} or {@link #finish}.
 *
 * <pre>{@code
 * try (TradeStreamWriter writer = TradeStreamWriter.open(channel)) {
 *   for (Trade trade : trades) {
 *     writer.write(trade);
 *   }
 *   TradeStreamWriter.Summary summary = writer.finish();
 * }
 * }</pre>
 *
 * <p>Coverage: after a batch, {@link #claimCoverage} says "every trade of this market in
 * {@code [from, until)} has been written"; the claim rides with the next request (no extra round
 * trip) and the server stores it once every trade written before it is committed. A claim is resent
 * with its request after a reconnect, which the server takes as the same claim.
 *
 * <p>Needs only a {@link Channel}; put credentials on the channel or in {@link Options#callOptions}.
 * Not thread-safe: one thread writes.
 */
public final class TradeStreamWriter implements AutoCloseable {
  /**
   * How the writer batches and retries.
   *
   * @param maxBatchTrades trades per request (the server takes at most 10,000)
   * @param maxBatchBytes a request is sent before it grows past about this many bytes, at most
   *     {@link BatchingStreamWriter#MAX_RECORD_BYTES} (the server takes messages up to 4 MiB)
   * @param maxUnacknowledged requests sent and not yet acknowledged, at most; they are kept for resending
   * @param retryFor how long to keep reconnecting without any acknowledgement before giving up
   * @param callOptions deadline-free options for each call: credentials, compression...
   */
  public record Options(int maxBatchTrades, int maxBatchBytes, int maxUnacknowledged, Duration retryFor,
                        CallOptions callOptions) {
    public static final Options DEFAULT = new Options(2_000, 1024 * 1024, 16, Duration.ofMinutes(2), CallOptions.DEFAULT);

    public Options {
      if (maxBatchTrades < 1 || maxBatchTrades > 10_000) {
        throw new IllegalArgumentException("maxBatchTrades must be 1 to 10000, got " + maxBatchTrades);
      }
      if (maxUnacknowledged < 1) {
        throw new IllegalArgumentException("maxUnacknowledged must be positive, got " + maxUnacknowledged);
      }
      BatchingStreamWriter.checkMaxBatchBytes(maxBatchBytes);
    }

    public Options withMaxBatchTrades(int trades) {
      return new Options(trades, maxBatchBytes, maxUnacknowledged, retryFor, callOptions);
    }

    public Options withRetryFor(Duration duration) {
      return new Options(maxBatchTrades, maxBatchBytes, maxUnacknowledged, duration, callOptions);
    }

    public Options withCallOptions(CallOptions options) {
      return new Options(maxBatchTrades, maxBatchBytes, maxUnacknowledged, retryFor, options);
    }
  }

  /**
   * What the server made of every trade written: {@code written = inserted + duplicates +
   * rejected}. A trade sent again after a reconnect and found stored counts as a duplicate.
   * Rejection indexes count trades from the first one written to this writer. {@code coverageStored}
   * counts the coverage claims stored (a claim resent after a reconnect counts again);
   * {@code coverageRejections} lists the claims refused.
   */
  public record Summary(long written, long inserted, long duplicates, long rejected, List<RejectedRecord> rejections,
                        int reconnects, long coverageStored, List<RejectedRecord> coverageRejections) {}

  private record Sent(StreamTradesRequest request, long firstTradeIndex) {}

  private final Channel channel;
  private final Options options;
  private final ScheduledExecutorService reconnector;

  // Only the writing thread touches the batch.
  private StreamTradesRequest.Builder batch = StreamTradesRequest.newBuilder();
  private int batchBytes;
  private long written;

  private final Object lock = new Object();
  private final ArrayDeque<Sent> unacknowledged = new ArrayDeque<>(); // guarded by lock
  private ClientCallStreamObserver<StreamTradesRequest> call; // guarded by lock; null while reconnecting
  private int callGeneration; // guarded by lock: tells callbacks of an abandoned call from the live one
  private long callFirstTradeIndex; // guarded by lock: trade index of the current call's first request
  private long sentTrades; // guarded by lock: trades handed to a call so far
  private boolean finishing; // guarded by lock
  private boolean done; // guarded by lock
  private StatusRuntimeException failure; // guarded by lock
  private long acknowledgedTrades; // guarded by lock
  private long inserted; // guarded by lock
  private long duplicates; // guarded by lock
  private long rejected; // guarded by lock
  private long coverageStored; // guarded by lock
  private final List<RejectedRecord> coverageRejections = new ArrayList<>(); // guarded by lock
  private final List<RejectedRecord> rejections = new ArrayList<>(); // guarded by lock
  private int reconnects; // guarded by lock
  private final Backoff backoff; // guarded by lock
  private volatile ReconnectListener reconnectListener = (attempt, status, wait) -> { };

  private TradeStreamWriter(Channel channel, Options options) {
    this.channel = channel;
    this.options = options;
    this.backoff = new Backoff(options.retryFor());
    this.reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tickvault-trade-writer-reconnect");
      t.setDaemon(true);
      return t;
    });
    synchronized (lock) {
      openCallLocked();
    }
  }

  /** Opens a writer with {@link Options#DEFAULT}. */
  public static TradeStreamWriter open(Channel channel) {
    return open(channel, Options.DEFAULT);
  }

  public static TradeStreamWriter open(Channel channel, Options options) {
    return new TradeStreamWriter(channel, options);
  }

  /**
   * Adds a trade; sends a request once the batch is full, waiting while the server is behind. A
   * trade larger than {@link BatchingStreamWriter#MAX_RECORD_BYTES} is refused with
   * IllegalArgumentException and not written: the trades around it go on.
   */
  public void write(Trade trade) throws InterruptedException {
    int size = BatchingStreamWriter.checkSize(trade, "a trade") + 4;
    if (batch.getTradesCount() > 0 && batchBytes + size > options.maxBatchBytes()) {
      flush();
    }
    batch.addTrades(trade);
    batchBytes += size;
    written++;
    if (batch.getTradesCount() >= options.maxBatchTrades()) {
      flush();
    }
  }

  /**
   * Claims that every trade of {@code exchangeId/currencyPairNo} with a time in
   * {@code [fromTimeMs, untilTimeMs)} has been written to this writer. It goes with the next
   * request (with the trades written since the last one, or on its own at the next {@link #flush});
   * the server stores it once every trade written before it is committed, never if the stream
   * fails first. Claim up to the exchange time the feed is known complete to, after each batch.
   */
  public void claimCoverage(int exchangeId, int currencyPairNo, long fromTimeMs, long untilTimeMs) {
    batch.addCoverage(CoverageClaim.newBuilder().setExchangeId(exchangeId).setCurrencyPairNo(currencyPairNo)
        .setFromTimeMs(fromTimeMs).setUntilTimeMs(untilTimeMs));
    batchBytes += 32;
  }

  /** Sends the trades (and claims) gathered so far, waiting while the server is behind or unreachable. */
  public void flush() throws InterruptedException {
    if (batch.getTradesCount() == 0 && batch.getCoverageCount() == 0) {
      checkFailure();
      return;
    }
    // A request carries at most MAX_CLAIMS_PER_REQUEST claims: the rest follow in requests of
    // claims only, still after every trade they were made after.
    List<CoverageClaim> claims = List.copyOf(batch.getCoverageList());
    int first = Math.min(claims.size(), BatchingStreamWriter.MAX_CLAIMS_PER_REQUEST);
    send(batch.clearCoverage().addAllCoverage(claims.subList(0, first)).build());
    for (int from = first; from < claims.size(); from += BatchingStreamWriter.MAX_CLAIMS_PER_REQUEST) {
      int to = Math.min(claims.size(), from + BatchingStreamWriter.MAX_CLAIMS_PER_REQUEST);
      send(StreamTradesRequest.newBuilder().addAllCoverage(claims.subList(from, to)).build());
    }
    batch = StreamTradesRequest.newBuilder();
    batchBytes = 0;
  }

  private void send(StreamTradesRequest request) throws InterruptedException {
    synchronized (lock) {
      if (finishing) {
        throw new IllegalStateException("finish() was called: open a new writer");
      }
      while (failure == null && (call == null || !call.isReady() || unacknowledged.size() >= options.maxUnacknowledged())) {
        lock.wait();
      }
      checkFailure();
      unacknowledged.add(new Sent(request, sentTrades));
      sentTrades += request.getTradesCount();
      call.onNext(request);
    }
  }

  /**
   * Sends what is left, half-closes, and waits until every trade written is acknowledged
   * (reconnecting if need be). Returns the totals.
   */
  public Summary finish() throws InterruptedException {
    flush();
    synchronized (lock) {
      finishing = true;
      if (call != null) {
        call.onCompleted();
      }
      while (!done && failure == null) {
        lock.wait();
      }
      checkFailure();
      return new Summary(written, inserted, duplicates, rejected, List.copyOf(rejections), reconnects, coverageStored,
          List.copyOf(coverageRejections));
    }
  }

  /**
   * For a caller that stops early (Ctrl-C): sends nothing more (the trades gathered but not yet
   * sent are dropped), half-closes, and waits up to {@code timeout} for the acknowledgements of
   * the requests sent, reconnecting if need be. True when every trade sent is acknowledged: then
   * {@link #acknowledgedTrades()} is exactly what this writer got stored (or rejected); false when
   * some may be stored without having been acknowledged.
   */
  public boolean stop(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      if (!finishing) {
        finishing = true;
        if (call != null) {
          call.onCompleted();
        }
      }
      while (!unacknowledged.isEmpty() && failure == null && !done) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return unacknowledged.isEmpty();
    }
  }

  /** Trades acknowledged so far: every trade written before them is committed (or rejected). */
  public long acknowledgedTrades() {
    synchronized (lock) {
      return acknowledgedTrades;
    }
  }

  /** Calls opened again after UNAVAILABLE so far. */
  public int reconnects() {
    synchronized (lock) {
      return reconnects;
    }
  }

  /** Sets who is told of each reconnect (on a gRPC thread); replaces the previous listener. */
  public void onReconnect(ReconnectListener listener) {
    this.reconnectListener = listener;
  }

  /** Cancels the call if it is still open; what was not acknowledged may not be stored. */
  @Override
  public void close() {
    synchronized (lock) {
      if (!done && call != null) {
        call.cancel("writer closed", null);
      }
      done = true;
      lock.notifyAll();
    }
    reconnector.shutdownNow();
  }

  private void checkFailure() {
    synchronized (lock) {
      if (failure != null) {
        throw failure;
      }
    }
  }

  private void openCallLocked() {
    int generation = ++callGeneration;
    Sent head = unacknowledged.peek();
    callFirstTradeIndex = head != null ? head.firstTradeIndex() : sentTrades;
    ClientCalls.asyncBidiStreamingCall(
        channel.newCall(IngestServiceGrpc.getStreamTradesMethod(), options.callOptions()),
        new Responses(generation));
    // beforeStart has set `call`: send again, in order, what the last call left unacknowledged.
    // They are at most maxUnacknowledged requests, so they go without waiting for isReady.
    for (Sent sent : unacknowledged) {
      call.onNext(sent.request());
    }
    if (finishing) {
      call.onCompleted();
    }
  }

  private final class Responses implements ClientResponseObserver<StreamTradesRequest, IngestTradesAck> {
    private final int generation;

    Responses(int generation) {
      this.generation = generation;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<StreamTradesRequest> requestStream) {
      call = requestStream; // under lock: openCallLocked holds it
      requestStream.setOnReadyHandler(() -> {
        synchronized (lock) {
          lock.notifyAll();
        }
      });
    }

    @Override
    public void onNext(IngestTradesAck ack) {
      synchronized (lock) {
        if (generation != callGeneration) {
          return;
        }
        Sent sent = unacknowledged.poll();
        if (sent == null) {
          failure = Status.INTERNAL.withDescription("acknowledgement " + ack.getRequestIndex() + " of a request never sent")
              .asRuntimeException();
          lock.notifyAll();
          return;
        }
        acknowledgedTrades = sent.firstTradeIndex() + sent.request().getTradesCount();
        inserted += ack.getInserted();
        duplicates += ack.getDuplicates();
        rejected += ack.getRejected();
        for (RejectedRecord rejection : ack.getRejectionsList()) {
          rejections.add(rejection.toBuilder().setIndex(callFirstTradeIndex + rejection.getIndex()).build());
        }
        coverageStored += ack.getCoverageStored();
        coverageRejections.addAll(ack.getCoverageRejectionsList());
        backoff.progress();
        lock.notifyAll();
      }
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      int attempt;
      Duration wait;
      synchronized (lock) {
        if (generation != callGeneration || done) {
          return;
        }
        call = null;
        wait = backoff.after(status, Status.trailersFromThrowable(t));
        if (wait == null) {
          failure = status.asRuntimeException(Status.trailersFromThrowable(t));
          lock.notifyAll();
          return;
        }
        reconnects++;
        attempt = backoff.attempts();
        reconnector.schedule(() -> {
          synchronized (lock) {
            if (!done && failure == null) {
              openCallLocked();
              lock.notifyAll();
            }
          }
        }, wait.toNanos(), TimeUnit.NANOSECONDS);
      }
      reconnectListener.reconnecting(attempt, status, wait);
    }

    @Override
    public void onCompleted() {
      synchronized (lock) {
        if (generation != callGeneration) {
          return;
        }
        if (!unacknowledged.isEmpty()) {
          failure = Status.INTERNAL.withDescription("the server ended the call with "
              + unacknowledged.size() + " requests unacknowledged").asRuntimeException();
        }
        done = true;
        lock.notifyAll();
      }
    }
  }
}
