package io.tickvault.client;

import com.google.protobuf.MessageLite;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.CoverageClaim;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The common core of the client's ingestion stream writers: it gathers records into requests of at
 * most {@code maxBatchRecords} records and about {@code maxBatchBytes} bytes, and sends a request
 * only while the call {@linkplain ClientCallStreamObserver#isReady() is ready}, so a slow server
 * (or a slow PostgreSQL behind it) holds the writing thread back instead of piling requests up in
 * memory. One call, one summary: {@link #finish()} half-closes and waits for the server's answer.
 *
 * <p>Not thread-safe: one thread writes. A failure of the call (UNAVAILABLE when PostgreSQL is
 * down, RESOURCE_EXHAUSTED, ...) surfaces as a {@link StatusRuntimeException} from the next
 * {@link #write}, {@link #flush} or {@link #finish}; records the server has not summarized may
 * be replayed on a new writer, because the server stores each record key once.
 *
 * <p>Coverage: {@link #claimCoverage} adds a claim to the request being gathered, so it rides with
 * the next batch; the server stores it once every record sent before it is committed.
 *
 * @param <R> the record message (an order book snapshot, a trade)
 * @param <Q> the request message that carries a batch of records
 * @param <S> the summary the server answers with
 */
public class BatchingStreamWriter<R extends MessageLite, Q, S> implements AutoCloseable {
  /** Records per request unless told otherwise. */
  public static final int DEFAULT_MAX_BATCH_RECORDS = 1000;
  /** Request size aimed at: well under the server's 4 MiB message limit. */
  public static final int DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;
  /** The server takes at most this many coverage claims in one request. */
  static final int MAX_CLAIMS_PER_REQUEST = 1_000;
  /** What a claim adds to a request, about: five varints and their tags. */
  static final int CLAIM_BYTES = 32;
  /** The largest request message the server takes (it answers RESOURCE_EXHAUSTED to a larger one). */
  public static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;
  /**
   * The largest record, and batch size, a writer takes: a request holds its batch, up to
   * {@link #MAX_CLAIMS_PER_REQUEST} claims and framing, and stays under {@link #MAX_REQUEST_BYTES}.
   */
  public static final int MAX_RECORD_BYTES = MAX_REQUEST_BYTES - 64 * 1024;

  private final BiFunction<List<R>, List<CoverageClaim>, Q> toRequest;
  private final int maxBatchRecords;
  private final int maxBatchBytes;
  private final Object lock = new Object();
  private final ClientCallStreamObserver<Q> requests;

  private List<R> batch;
  private List<CoverageClaim> claims = new ArrayList<>();
  private int batchBytes;
  private boolean halfClosed;
  private S summary; // guarded by lock
  private Throwable failure; // guarded by lock
  private boolean done; // guarded by lock

  /**
   * @param startCall starts the client-streaming call with the given response observer, e.g.
   *     {@code responses -> ClientCalls.asyncClientStreamingCall(channel.newCall(method, options), responses)}
   * @param toRequest wraps a batch of records and the coverage claims that follow them in a request
   */
  protected BatchingStreamWriter(Function<StreamObserver<S>, StreamObserver<Q>> startCall,
                                 BiFunction<List<R>, List<CoverageClaim>, Q> toRequest, int maxBatchRecords,
                                 int maxBatchBytes) {
    if (maxBatchRecords < 1) {
      throw new IllegalArgumentException("maxBatchRecords must be positive, got " + maxBatchRecords);
    }
    checkMaxBatchBytes(maxBatchBytes);
    this.toRequest = toRequest;
    this.maxBatchRecords = maxBatchRecords;
    this.maxBatchBytes = maxBatchBytes;
    this.batch = new ArrayList<>(maxBatchRecords);
    Responses responses = new Responses();
    startCall.apply(responses);
    this.requests = responses.requests;
  }

  /** Adds a record; sends a request once the batch is full, waiting while the call is not ready. */
  public void write(R record) throws InterruptedException {
    checkOpen();
    int size = checkSize(record, "a record");
    if (!batch.isEmpty() && batchBytes + size > maxBatchBytes) {
      flush();
    }
    batch.add(record);
    batchBytes += size;
    if (batch.size() >= maxBatchRecords) {
      flush();
    }
  }

  /**
   * Claims that every record of {@code exchangeId/currencyPairNo} on this stream's channel with a
   * time in {@code [fromTimeMs, untilTimeMs)} has been written to this writer. It goes with the
   * next request (with the records written since the last one, or on its own at the next
   * {@link #flush}); the server stores it once every record written before it is committed, never
   * if the call fails first.
   */
  public void claimCoverage(int exchangeId, int currencyPairNo, long fromTimeMs, long untilTimeMs)
      throws InterruptedException {
    checkOpen();
    claims.add(CoverageClaim.newBuilder().setExchangeId(exchangeId).setCurrencyPairNo(currencyPairNo)
        .setFromTimeMs(fromTimeMs).setUntilTimeMs(untilTimeMs).build());
    batchBytes += CLAIM_BYTES;
    if (claims.size() >= MAX_CLAIMS_PER_REQUEST) {
      flush();
    }
  }

  /** Sends the records and claims gathered so far, waiting while the call is not ready. */
  public void flush() throws InterruptedException {
    checkOpen();
    if (batch.isEmpty() && claims.isEmpty()) {
      return;
    }
    awaitReady();
    requests.onNext(toRequest.apply(batch, claims));
    batch = new ArrayList<>(maxBatchRecords);
    claims = new ArrayList<>();
    batchBytes = 0;
  }

  /**
   * Sends what is left, half-closes the stream and waits for the server's summary, which counts
   * every record this writer sent.
   */
  public S finish() throws InterruptedException {
    flush();
    halfClosed = true;
    requests.onCompleted();
    synchronized (lock) {
      while (!done) {
        lock.wait();
      }
      if (failure != null) {
        throw asStatus(failure);
      }
      return summary;
    }
  }

  /**
   * For a caller that stops early (Ctrl-C): half-closes without sending the records (and claims)
   * gathered since the last request, and waits up to {@code timeout} for the server's summary, which then counts
   * exactly the records sent. Null when none came in time, or the call failed: what was sent may
   * then be stored in part.
   */
  public S finishSent(Duration timeout) throws InterruptedException {
    if (!halfClosed) {
      halfClosed = true;
      requests.onCompleted();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!done) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return failure == null ? summary : null;
    }
  }

  /** Cancels the call unless it finished: nothing more is sent, and the server stops reading. */
  @Override
  public void close() {
    synchronized (lock) {
      if (done) {
        return;
      }
    }
    requests.cancel("writer closed before finish()", null);
  }

  /**
   * The record's size, when a request can carry it; else IllegalArgumentException, before it joins
   * a batch: sent, it would make the server refuse the whole request, and the records with it.
   */
  static int checkSize(MessageLite record, String what) {
    int size = record.getSerializedSize();
    if (size > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "%s of %,d bytes is larger than a request may "
          + "carry (%,d bytes; the server takes messages up to %,d): not sent", what, size, MAX_RECORD_BYTES, MAX_REQUEST_BYTES));
    }
    return size;
  }

  static void checkMaxBatchBytes(int maxBatchBytes) {
    if (maxBatchBytes < 1 || maxBatchBytes > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException("maxBatchBytes must be 1 to " + MAX_RECORD_BYTES + " (under the server's "
          + MAX_REQUEST_BYTES + "-byte message limit), got " + maxBatchBytes);
    }
  }

  private void checkOpen() {
    if (halfClosed) {
      throw new IllegalStateException("finish() was called: open a new writer");
    }
    synchronized (lock) {
      if (failure != null) {
        throw asStatus(failure);
      }
      if (done) {
        throw new IllegalStateException("the server ended the call early");
      }
    }
  }

  private void awaitReady() throws InterruptedException {
    synchronized (lock) {
      // The on-ready handler notifies under this lock, so a change after our check wakes us.
      while (!requests.isReady() && !done) {
        lock.wait();
      }
      if (failure != null) {
        throw asStatus(failure);
      }
    }
  }

  private static StatusRuntimeException asStatus(Throwable t) {
    return t instanceof StatusRuntimeException sre ? sre : Status.fromThrowable(t).asRuntimeException();
  }

  private final class Responses implements ClientResponseObserver<Q, S> {
    private ClientCallStreamObserver<Q> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
      this.requests = requestStream;
      requestStream.setOnReadyHandler(() -> {
        synchronized (lock) {
          lock.notifyAll();
        }
      });
    }

    @Override
    public void onNext(S value) {
      synchronized (lock) {
        summary = value;
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (lock) {
        failure = t;
        done = true;
        lock.notifyAll();
      }
    }

    @Override
    public void onCompleted() {
      synchronized (lock) {
        done = true;
        lock.notifyAll();
      }
    }
  }
}
