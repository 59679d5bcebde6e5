package io.tickvault.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.IngestOrderBooksRequest;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import io.grpc.CallOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The writer against a stand-in IngestService on the in-process transport: what it sends, when it
 * waits, and how a failure reaches the caller. The real server is exercised by the server's ITs.
 */
class OrderBookStreamWriterTest {
  @RegisterExtension
  final InProcessGrpc grpc = new InProcessGrpc();

  /** Counts every snapshot as inserted; reads requests only while {@code reading} is set. */
  private final class RecordingService extends IngestServiceGrpc.IngestServiceImplBase {
    final List<Integer> requestSizes = new CopyOnWriteArrayList<>();
    final AtomicBoolean reading = new AtomicBoolean(true);
    final AtomicInteger outstanding = new AtomicInteger();
    volatile ServerCallStreamObserver<IngestOrderBooksResponse> call;
    volatile Status failWith;

    @Override
    public StreamObserver<IngestOrderBooksRequest> ingestOrderBooks(StreamObserver<IngestOrderBooksResponse> responses) {
      call = (ServerCallStreamObserver<IngestOrderBooksResponse>) responses;
      call.disableAutoRequest();
      requestOne();
      return new StreamObserver<>() {
        @Override
        public void onNext(IngestOrderBooksRequest request) {
          outstanding.decrementAndGet();
          requestSizes.add(request.getSnapshotsCount());
          if (failWith != null) {
            responses.onError(failWith.asRuntimeException());
            return;
          }
          if (reading.get()) {
            requestOne();
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          long total = requestSizes.stream().mapToLong(Integer::longValue).sum();
          responses.onNext(IngestOrderBooksResponse.newBuilder().setReceived(total).setInserted(total).build());
          responses.onCompleted();
        }
      };
    }

    void requestOne() {
      outstanding.incrementAndGet();
      call.request(1);
    }
  }

  @Test
  void snapshotsAreSentInBatchesOfTheGivenSize_andFinishReturnsTheSummary() throws Exception {
    RecordingService service = grpc.serve(new RecordingService());

    IngestOrderBooksResponse summary;
    try (OrderBookStreamWriter writer = OrderBookStreamWriter.open(grpc.channel(), CallOptions.DEFAULT, 3, 1 << 20)) {
      for (int i = 0; i < 8; i++) {
        writer.write(snapshot(i, 1));
      }
      summary = writer.finish();
    }

    assertThat(service.requestSizes).containsExactly(3, 3, 2);
    assertThat(summary.getInserted()).isEqualTo(8);
  }

  @Test
  void aBatchIsSentBeforeItGrowsPastTheByteLimit() throws Exception {
    RecordingService service = grpc.serve(new RecordingService());
    int size = snapshot(5, 100).getSerializedSize(); // as large as any of the five

    try (OrderBookStreamWriter writer = OrderBookStreamWriter.open(grpc.channel(), CallOptions.DEFAULT, 1000, size * 2 + 1)) {
      for (int i = 1; i <= 5; i++) {
        writer.write(snapshot(i, 100));
      }
      writer.finish();
    }

    assertThat(service.requestSizes).containsExactly(2, 2, 1);
  }

  @Test
  void theWriterWaitsWhileTheServerReadsNothing() throws Exception {
    RecordingService service = grpc.serve(new RecordingService());
    service.reading.set(false);
    OrderBookStreamWriter writer = OrderBookStreamWriter.open(grpc.channel(), CallOptions.DEFAULT, 1, 1 << 20);
    CountDownLatch wrote = new CountDownLatch(1);
    AtomicInteger written = new AtomicInteger();
    Thread producer = new Thread(() -> {
      try {
        // Deep books, so that unread requests fill the transport's window within a few messages.
        for (int i = 0; i < 2000; i++) {
          writer.write(snapshot(i, 200));
          written.incrementAndGet();
        }
        wrote.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    producer.start();

    assertThat(wrote.await(2, TimeUnit.SECONDS)).as("writes must block while the server reads nothing").isFalse();
    assertThat(written.get()).isLessThan(2000);

    service.reading.set(true);
    service.requestOne();
    assertThat(wrote.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(writer.finish().getInserted()).isEqualTo(2000);
    producer.join();
  }

  @Test
  void aFailedCall_surfacesAsItsStatus() throws Exception {
    RecordingService service = grpc.serve(new RecordingService());
    service.failWith = Status.UNAVAILABLE.withDescription("database unavailable, retry later");
    OrderBookStreamWriter writer = OrderBookStreamWriter.open(grpc.channel(), CallOptions.DEFAULT, 1, 1 << 20);

    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> {
      for (int i = 0; i < 1000; i++) {
        writer.write(snapshot(i, 1));
      }
      writer.finish();
    });

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).isEqualTo("database unavailable, retry later");
  }

  @Test
  void writingAfterFinish_isRefused() throws Exception {
    grpc.serve(new RecordingService());
    OrderBookStreamWriter writer = OrderBookStreamWriter.open(grpc.channel());
    writer.finish();

    assertThat(catchThrowableOfType(IllegalStateException.class, () -> writer.write(snapshot(1, 1))))
        .hasMessage("finish() was called: open a new writer");
  }

  private static OrderBookSnapshot snapshot(long sequence, int depth) {
    OrderBookSnapshot.Builder s = OrderBookSnapshot.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setServerTimeMs(1_764_115_200_000L + sequence).setSequenceId(sequence);
    for (int i = 0; i < depth; i++) {
      s.addBids(PriceLevel.newBuilder().setPrice(String.valueOf(100_000 - i)).setQuantity("1.25"));
      s.addAsks(PriceLevel.newBuilder().setPrice(String.valueOf(100_001 + i)).setQuantity("0.5"));
    }
    return s.build();
  }
}
