package io.tickvault.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.IngestOrderBooksRequest;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.RejectedRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The resending order book writer against a stand-in IngestService on the in-process transport
 * whose calls fail as each test scripts. The real server is exercised by the ITs.
 */
class ResendingOrderBookWriterTest {
  private static final ResendingOrderBookWriter.Options SMALL_CALLS =
      ResendingOrderBookWriter.Options.DEFAULT.withMaxBatchSnapshots(2).withCallSnapshots(5).withRetryFor(Duration.ofSeconds(5));

  @RegisterExtension
  final InProcessGrpc grpc = new InProcessGrpc();

  /**
   * Stores each snapshot key once (a duplicate when seen before, rejected when its sequence id is
   * negative) and answers one summary per call; a call takes the next status of {@code failures}
   * (if any) and fails with it at its first request, having stored that request. Each call's
   * requests are logged in {@code sent}, one line a request: its snapshots' sequence ids, then its
   * claims as {@code c<from>}.
   */
  private static final class StoringService extends IngestServiceGrpc.IngestServiceImplBase {
    final Queue<Status> failures = new ConcurrentLinkedQueue<>();
    final List<Long> stored = new CopyOnWriteArrayList<>();
    final List<Integer> callSizes = new CopyOnWriteArrayList<>();
    final List<List<String>> sent = new CopyOnWriteArrayList<>();

    @Override
    public StreamObserver<IngestOrderBooksRequest> ingestOrderBooks(StreamObserver<IngestOrderBooksResponse> responses) {
      Status failWith = failures.poll();
      IngestOrderBooksResponse.Builder summary = IngestOrderBooksResponse.newBuilder();
      List<String> log = new CopyOnWriteArrayList<>();
      sent.add(log);
      return new StreamObserver<>() {
        boolean failed;

        @Override
        public void onNext(IngestOrderBooksRequest request) {
          if (failed) {
            return;
          }
          List<String> items = new ArrayList<>();
          request.getSnapshotsList().forEach(snapshot -> items.add(String.valueOf(snapshot.getSequenceId())));
          request.getCoverageList().forEach(claim -> items.add("c" + claim.getFromTimeMs()));
          log.add(String.join(" ", items));
          for (OrderBookSnapshot snapshot : request.getSnapshotsList()) {
            long received = summary.getReceived();
            summary.setReceived(received + 1);
            if (snapshot.getSequenceId() < 0) {
              summary.setRejected(summary.getRejected() + 1).addRejections(RejectedRecord.newBuilder()
                  .setIndex(received).setField("sequence_id").setReason("must not be negative"));
            } else if (stored.contains(snapshot.getSequenceId())) {
              summary.setDuplicates(summary.getDuplicates() + 1);
            } else {
              stored.add(snapshot.getSequenceId());
              summary.setInserted(summary.getInserted() + 1);
            }
          }
          if (failWith != null) {
            failed = true;
            responses.onError(failWith.asRuntimeException());
            return;
          }
          summary.setCoverageStored(summary.getCoverageStored() + request.getCoverageCount());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          callSizes.add((int) summary.getReceived());
          responses.onNext(summary.build());
          responses.onCompleted();
        }
      };
    }
  }

  @Test
  void snapshotsGoInCallsOfTheGivenSize_andTheSummaryAddsThemUp() throws Exception {
    StoringService service = grpc.serve(new StoringService());

    ResendingOrderBookWriter.Summary summary;
    try (ResendingOrderBookWriter writer = ResendingOrderBookWriter.open(grpc.channel(), SMALL_CALLS)) {
      for (int i = 0; i < 12; i++) {
        writer.write(snapshot(i == 6 ? -1 : i));
      }
      assertThat(writer.acknowledgedSnapshots()).isEqualTo(10);
      summary = writer.finish();
      assertThat(writer.acknowledgedSnapshots()).isEqualTo(12);
    }

    assertThat(service.callSizes).containsExactly(5, 5, 2);
    assertThat(summary.received()).isEqualTo(12);
    assertThat(summary.inserted()).isEqualTo(11);
    assertThat(summary.rejected()).isEqualTo(1);
    assertThat(summary.rejections()).extracting(RejectedRecord::getIndex).as("counted from the writer's first snapshot")
        .containsExactly(6L);
    assertThat(summary.reconnects()).isZero();
  }

  @Test
  void aCallFailingWithUnavailable_isSentAgain_andWhatItStoredCountsAsDuplicates() throws Exception {
    StoringService service = grpc.serve(new StoringService());
    service.failures.add(Status.UNAVAILABLE.withDescription("server stopping"));
    List<String> told = new ArrayList<>();

    ResendingOrderBookWriter.Summary summary;
    try (ResendingOrderBookWriter writer = ResendingOrderBookWriter.open(grpc.channel(), SMALL_CALLS)) {
      writer.onReconnect((attempt, status, wait) -> told.add(attempt + " " + status.getDescription()));
      for (int i = 0; i < 8; i++) {
        writer.write(snapshot(i));
      }
      summary = writer.finish();
    }

    assertThat(service.stored).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(summary.received()).isEqualTo(8);
    assertThat(summary.inserted() + summary.duplicates()).isEqualTo(8);
    assertThat(summary.duplicates()).as("the failed call's first request was stored").isPositive();
    assertThat(summary.reconnects()).isEqualTo(1);
    assertThat(told).containsExactly("1 server stopping");
  }

  @Test
  void claimsRideWithTheBatches_andAFailedCallSendsThemAgainAfterTheSameSnapshots() throws Exception {
    StoringService service = grpc.serve(new StoringService());
    service.failures.add(Status.UNAVAILABLE.withDescription("server stopping"));

    ResendingOrderBookWriter.Summary summary;
    try (ResendingOrderBookWriter writer = ResendingOrderBookWriter.open(grpc.channel(), SMALL_CALLS)) {
      writer.write(snapshot(0));
      writer.write(snapshot(1)); // a full batch: sent, and the call fails
      writer.claimCoverage(1, 1, 0, 2);
      writer.write(snapshot(2));
      writer.claimCoverage(1, 1, 2, 3);
      writer.flush();
      summary = writer.finish();
    }

    assertThat(service.sent).as("each claim again after the snapshots written before it").containsExactly(
        List.of("0 1"),
        List.of("0 1", "2 c0 c2"));
    assertThat(summary.coverageStored()).isEqualTo(2);
    assertThat(summary.reconnects()).isEqualTo(1);
  }

  @Test
  void stop_endsTheCallWithWhatWasSent_andAcknowledgesExactlyThat() throws Exception {
    StoringService service = grpc.serve(new StoringService());

    try (ResendingOrderBookWriter writer = ResendingOrderBookWriter.open(grpc.channel(), SMALL_CALLS)) {
      for (int i = 0; i < 8; i++) {
        writer.write(snapshot(i)); // 0-4 in a call of their own; 5 and 6 sent in the next; 7 still in its batch
      }

      assertThat(writer.stop(Duration.ofSeconds(5))).isTrue();
      assertThat(writer.acknowledgedSnapshots()).isEqualTo(7);
    }
    assertThat(service.stored).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  void anotherStatus_isFinal() throws Exception {
    StoringService service = grpc.serve(new StoringService());
    service.failures.add(Status.PERMISSION_DENIED.withDescription("needs a worker token"));

    try (ResendingOrderBookWriter writer = ResendingOrderBookWriter.open(grpc.channel(), SMALL_CALLS)) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> {
        for (int i = 0; i < 8; i++) {
          writer.write(snapshot(i));
        }
        writer.finish();
      });

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(writer.reconnects()).isZero();
    }
  }

  private static OrderBookSnapshot snapshot(long sequence) {
    return OrderBookSnapshot.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setServerTimeMs(1_764_115_200_000L + Math.abs(sequence)).setSequenceId(sequence)
        .build();
  }
}
