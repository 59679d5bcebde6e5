package io.tickvault.server.orderbook;

import static io.tickvault.server.orderbook.OrderBookCalls.assertStoredExactly;
import static io.tickvault.server.orderbook.OrderBookCalls.ingest;
import static io.tickvault.server.orderbook.OrderBookCalls.level;
import static io.tickvault.server.orderbook.OrderBookCalls.registerMarket;
import static io.tickvault.server.orderbook.OrderBookCalls.snapshot;
import static io.tickvault.server.orderbook.OrderBookCalls.snapshots;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.tickvault.api.v1.IngestOrderBooksRequest;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.server.testing.Responses;
import io.tickvault.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** IngestOrderBooks end to end: the Java client, the shared ingestion machinery, the sink, PostgreSQL. */
class IngestOrderBooksIT {
  private static final int MAX_LEVELS = 25;

  @RegisterExtension
  static TestServer server = TestServer.inProcess().configure(b -> b.maxBookLevels(MAX_LEVELS));

  @BeforeEach
  void setUp() {
    server.database().truncate("orderbook_snapshots", "orderbook_levels", "currency_pairs", "exchanges CASCADE");
    registerMarket(server.channel(), 1, 1, 2);
  }

  @Test
  void snapshotsAreStoredWithAllTheirLevels_andCountedExactly() throws Exception {
    List<OrderBookSnapshot> sent = snapshots(0, 1200, 20);

    IngestOrderBooksResponse response = ingest(server.channel(), sent);

    assertThat(response.getReceived()).isEqualTo(1200);
    assertThat(response.getInserted()).isEqualTo(1200);
    assertThat(response.getDuplicates()).isZero();
    assertThat(response.getRejected()).isZero();
    assertStoredExactly(server.database().jdbc(), sent);
  }

  @Test
  void aReplayedStream_isAllDuplicates_andTheFirstWriteStands() throws Exception {
    List<OrderBookSnapshot> first = snapshots(0, 300, 5);
    ingest(server.channel(), first);
    List<OrderBookSnapshot> replay = new ArrayList<>();
    for (OrderBookSnapshot s : first) {
      // Same keys, other books: a duplicate's levels are never written.
      replay.add(s.toBuilder().clearBids().addBids(level("1", "1")).build());
    }

    IngestOrderBooksResponse response = ingest(server.channel(), replay);

    assertThat(response.getReceived()).isEqualTo(300);
    assertThat(response.getInserted()).isZero();
    assertThat(response.getDuplicates()).isEqualTo(300);
    assertStoredExactly(server.database().jdbc(), first);
  }

  @Test
  void aSnapshotRepeatedAcrossRequestsOfOneStream_isInsertedOnceThenDuplicate() throws Exception {
    IngestOrderBooksResponse response = send(List.of(
        List.of(snapshot(1, 3), snapshot(2, 3)),
        List.of(snapshot(2, 3), snapshot(3, 3), snapshot(1, 3))));

    assertThat(response.getReceived()).isEqualTo(5);
    assertThat(response.getInserted()).isEqualTo(3);
    assertThat(response.getDuplicates()).isEqualTo(2);
    assertStoredExactly(server.database().jdbc(), List.of(snapshot(1, 3), snapshot(2, 3), snapshot(3, 3)));
  }

  @Test
  void invalidSnapshots_areRejectedWithIndexKeyFieldAndReason_andTheValidOnesBesideThemAreStored() throws Exception {
    OrderBookSnapshot good = snapshot(10, 3);
    OrderBookSnapshot halted = snapshot(11, 0); // no bids, no asks: allowed
    OrderBookSnapshot.Builder tooDeep = snapshot(16, 0).toBuilder();
    for (int i = 0; i < MAX_LEVELS + 1; i++) {
      tooDeep.addBids(level(String.valueOf(1000 - i), "1"));
    }
    List<List<OrderBookSnapshot>> requests = List.of(
        List.of(
            good,
            snapshot(12, 3).toBuilder().setCurrencyPairNo(9).build(),
            snapshot(13, 3).toBuilder().setServerTimeMs(0).build()),
        List.of(
            snapshot(14, 5).toBuilder().setBids(3, level("64000.00", "1e2")).build(),
            snapshot(15, 4).toBuilder().setAsks(2, level("1", "1")).build(),
            halted,
            tooDeep.build(),
            snapshot(17, 2).toBuilder().setBids(0, level("-5", "1")).build()));

    IngestOrderBooksResponse response = send(requests);

    assertThat(response.getReceived()).isEqualTo(8);
    assertThat(response.getInserted()).isEqualTo(2);
    assertThat(response.getDuplicates()).isZero();
    assertThat(response.getRejected()).isEqualTo(6);
    long t = OrderBookCalls.TIME;
    assertThat(response.getRejectionsList())
        .extracting(RejectedRecord::getIndex, RejectedRecord::getRecordKey, RejectedRecord::getField)
        .containsExactly(
            tuple(1L, "1/9/" + (t + 12) + "/12", "currency_pair_no"),
            tuple(2L, "1/1/0/13", "server_time_ms"),
            tuple(3L, "1/1/" + (t + 14) + "/14", "bids[3].quantity"),
            tuple(4L, "1/1/" + (t + 15) + "/15", "asks[2].price"),
            tuple(6L, "1/1/" + (t + 16) + "/16", "bids"),
            tuple(7L, "1/1/" + (t + 17) + "/17", "bids[0].price"));
    assertThat(response.getRejectionsList()).extracting(RejectedRecord::getReason).containsExactly(
        "market 1/9 is not registered: PutCurrencyPair first",
        "is required",
        "must be a plain decimal (digits and at most one '.', no sign or exponent), got '1e2'",
        "must be above " + snapshot(15, 4).getAsks(1).getPrice()
            + " (asks[1]): asks go best first, lowest price first, no price twice",
        "has 26 levels, at most 25 are allowed",
        "must be a plain decimal (digits and at most one '.', no sign or exponent), got '-5'");
    assertThat(response.getRejectionsList()).extracting(RejectedRecord::getCode).containsExactly(
        RejectionReason.REJECTION_REASON_UNKNOWN_MARKET,
        RejectionReason.REJECTION_REASON_MISSING_FIELD,
        RejectionReason.REJECTION_REASON_INVALID_DECIMAL,
        RejectionReason.REJECTION_REASON_UNSORTED_LEVELS,
        RejectionReason.REJECTION_REASON_TOO_LONG,
        RejectionReason.REJECTION_REASON_INVALID_DECIMAL);
    assertStoredExactly(server.database().jdbc(), List.of(good, halted));
  }

  @Test
  void timesBefore2010_areRejected_namingTheFieldTheFloorAndTheValue() throws Exception {
    long floor = 1_262_304_000_000L; // 2010-01-01T00:00:00Z
    OrderBookSnapshot atFloor = snapshot(3, 2).toBuilder().setServerTimeMs(floor).setReceiveTimeMs(floor).build();
    List<List<OrderBookSnapshot>> requests = List.of(List.of(
        snapshot(1, 2).toBuilder().setServerTimeMs(1).build(),
        snapshot(2, 2).toBuilder().setServerTimeMs(OrderBookCalls.TIME / 1000).build(),
        atFloor,
        snapshot(4, 2).toBuilder().setReceiveTimeMs(1000).build()));

    IngestOrderBooksResponse response = send(requests);

    String before = "must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got ";
    assertThat(response.getInserted()).isEqualTo(1);
    assertThat(response.getRejectionsList())
        .extracting(RejectedRecord::getCode, RejectedRecord::getField, RejectedRecord::getReason)
        .containsExactly(
            tuple(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, "server_time_ms", before + 1),
            tuple(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, "server_time_ms", before + OrderBookCalls.TIME / 1000),
            tuple(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, "receive_time_ms",
                "must be 0 (now) or at or after 2010-01-01T00:00:00Z (1262304000000 ms), got 1000"));
    assertStoredExactly(server.database().jdbc(), List.of(atFloor));
  }

  @Test
  void randomPricesAndQuantities_areReadBackDigitForDigit() throws Exception {
    Random random = new Random(7);
    List<OrderBookSnapshot> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sent.add(OrderBookSinkIT.book(OrderBookSinkIT.snapshot(1, 2, OrderBookCalls.TIME + i, i), 1 + random.nextInt(MAX_LEVELS), random));
    }

    IngestOrderBooksResponse response = ingest(server.channel(), sent);

    assertThat(response.getInserted()).isEqualTo(300);
    assertStoredExactly(server.database().jdbc(), sent);
  }

  @Test
  void snapshotsAreCountedInTheIngestMetrics_byOutcome() throws Exception {
    double inserted = orderBookRecords("inserted");
    double duplicates = orderBookRecords("duplicate");
    double rejected = orderBookRecords("rejected");

    send(List.of(List.of(snapshot(1, 2), snapshot(2, 2), snapshot(1, 2), snapshot(3, 2).toBuilder().setSequenceId(-1).build())));

    assertThat(orderBookRecords("inserted") - inserted).isEqualTo(2);
    assertThat(orderBookRecords("duplicate") - duplicates).isEqualTo(1);
    assertThat(orderBookRecords("rejected") - rejected).isEqualTo(1);
  }

  /** tickvault_ingest_records_total{kind="orderbook", outcome=...} as the server's registry holds it. */
  private static double orderBookRecords(String outcome) {
    return server.app().metrics().registry().scrape().stream()
        .filter(m -> m.getMetadata().getPrometheusName().equals("tickvault_ingest_records"))
        .flatMap(m -> m.getDataPoints().stream())
        .filter(p -> "orderbook".equals(p.getLabels().get("kind")) && outcome.equals(p.getLabels().get("outcome")))
        .mapToDouble(p -> ((CounterDataPointSnapshot) p).getValue())
        .sum();
  }

  /** IngestOrderBooks with one request per list, exactly as given (the writer would re-batch). */
  private static IngestOrderBooksResponse send(List<List<OrderBookSnapshot>> requests) throws Exception {
    Responses<IngestOrderBooksResponse> summary = new Responses<>();
    StreamObserver<IngestOrderBooksRequest> stream = IngestServiceGrpc.newStub(server.channel()).ingestOrderBooks(summary);
    for (List<OrderBookSnapshot> request : requests) {
      stream.onNext(IngestOrderBooksRequest.newBuilder().addAllSnapshots(request).build());
    }
    stream.onCompleted();
    return summary.first().get(30, TimeUnit.SECONDS);
  }
}
