package io.tickvault.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadOrderBooksResponse;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.Trade;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The resuming reader against a stand-in QueryService on the in-process transport that serves a
 * fixed list of trades in pages and breaks its streams as each test scripts. The real server is
 * exercised by the server module's ITs.
 */
class ResumingReaderTest {
  private static final int TRADES = 29;
  private static final ReadTradesRequest REQUEST = ReadTradesRequest.newBuilder()
      .setExchangeId(1).setCurrencyPairNo(2).setStartTimeMs(1_000).setEndTimeMs(9_000).setPageSize(3).build();
  private static final ResumingReader.Options FAST = ResumingReader.Options.DEFAULT.withRetryFor(Duration.ofSeconds(5));

  @RegisterExtension
  final InProcessGrpc grpc = new InProcessGrpc();

  /**
   * Serves trades 0..TRADES-1 in pages of page_size; the token after trade i is "after-i". Each
   * call takes the next script from {@code scripts}: how many pages it sends before failing with
   * {@code failWith} (or hanging, when failWith is null); no script left: the whole range.
   */
  private final class PagedTrades extends QueryServiceGrpc.QueryServiceImplBase {
    record Script(int pagesBeforeFailure, Status failWith, Metadata trailers) {
      Script(int pagesBeforeFailure, Status failWith) {
        this(pagesBeforeFailure, failWith, null);
      }
    }

    final Queue<Script> scripts = new ConcurrentLinkedQueue<>();
    final List<ReadTradesRequest> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger pagesSent = new AtomicInteger();
    final CountDownLatch cancelled = new CountDownLatch(1);

    @Override
    public void readTrades(ReadTradesRequest request, StreamObserver<ReadTradesResponse> responses) {
      requests.add(request);
      ServerCallStreamObserver<ReadTradesResponse> call = (ServerCallStreamObserver<ReadTradesResponse>) responses;
      call.setOnCancelHandler(cancelled::countDown);
      if (!request.getPageToken().isEmpty() && !request.getPageToken().startsWith("after-")) {
        call.onError(Status.INVALID_ARGUMENT.withDescription("page_token: not one of ours").asRuntimeException());
        return;
      }
      Script script = scripts.poll();
      int[] next = {request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken().substring(6)) + 1};
      int[] sentThisCall = {0};
      // Sends only while the client has asked for more, as the real server does.
      call.setOnReadyHandler(() -> {
        while (call.isReady() && !call.isCancelled()) {
          if (script != null && sentThisCall[0] == script.pagesBeforeFailure()) {
            if (script.failWith() != null) {
              call.onError(script.failWith().asRuntimeException(script.trailers()));
            }
            return; // failWith null: hang with the call open
          }
          int from = next[0];
          int to = Math.min(TRADES, from + request.getPageSize());
          ReadTradesResponse.Builder page = ReadTradesResponse.newBuilder();
          for (int i = from; i < to; i++) {
            page.addTrades(trade(i));
          }
          page.setNextPageToken(to == TRADES ? "" : "after-" + (to - 1));
          call.onNext(page.build());
          pagesSent.incrementAndGet();
          sentThisCall[0]++;
          next[0] = to;
          if (to == TRADES) {
            call.onCompleted();
            return;
          }
        }
      });
    }

    /** Snapshot 1 then UNAVAILABLE; from its token, snapshot 2 and the end. */
    @Override
    public void readOrderBooks(ReadOrderBooksRequest request, StreamObserver<ReadOrderBooksResponse> responses) {
      requests.add(ReadTradesRequest.newBuilder().setPageToken(request.getPageToken()).build());
      if (request.getPageToken().isEmpty()) {
        responses.onNext(ReadOrderBooksResponse.newBuilder()
            .addSnapshots(OrderBookSnapshot.newBuilder().setSequenceId(1)).setNextPageToken("after-1").build());
        responses.onError(Status.UNAVAILABLE.withDescription("scripted").asRuntimeException());
        return;
      }
      responses.onNext(ReadOrderBooksResponse.newBuilder().addSnapshots(OrderBookSnapshot.newBuilder().setSequenceId(2)).build());
      responses.onCompleted();
    }
  }

  private static Trade trade(int i) {
    return Trade.newBuilder().setExchangeId(1).setCurrencyPairNo(2).setTradeId("t-" + i)
        .setPrice("100." + i).setQuantity("0.50").setTradeTimeMs(1_000 + i).build();
  }

  private static List<String> allTradeIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < TRADES; i++) {
      ids.add("t-" + i);
    }
    return ids;
  }

  @Test
  void streamBrokenTwiceWithUnavailable_resumesFromTheLastTokenReceived_everyTradeOnceInOrder() throws Exception {
    PagedTrades service = grpc.serve(new PagedTrades());
    service.scripts.add(new PagedTrades.Script(4, Status.UNAVAILABLE.withDescription("replica restarting")));
    service.scripts.add(new PagedTrades.Script(2, Status.UNAVAILABLE.withDescription("PostgreSQL away")));

    List<String> ids;
    int reconnects;
    try (ResumingReader<Trade> reader = ResumingReader.trades(grpc.channel(), REQUEST, FAST)) {
      ids = reader.stream().map(Trade::getTradeId).collect(Collectors.toList());
      reconnects = reader.reconnects();
    }

    assertThat(ids).containsExactlyElementsOf(allTradeIds());
    assertThat(reconnects).isEqualTo(2);
    // Every call but the page token is the caller's request, unchanged.
    assertThat(service.requests).extracting(ReadTradesRequest::getPageToken).containsExactly("", "after-11", "after-17");
    assertThat(service.requests).allSatisfy(r -> assertThat(r.toBuilder().clearPageToken().build()).isEqualTo(REQUEST));
  }

  @Test
  void aStatusWithRetryInfo_isRetried_whateverItsCode() throws Exception {
    PagedTrades service = grpc.serve(new PagedTrades());
    StatusRuntimeException overloaded = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.RESOURCE_EXHAUSTED.value()).setMessage("overloaded, retry later")
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.RetryInfo.newBuilder()
            .setRetryDelay(com.google.protobuf.Duration.newBuilder().setNanos(50_000_000)).build()))
        .build());
    service.scripts.add(new PagedTrades.Script(3, overloaded.getStatus(), overloaded.getTrailers()));

    List<String> ids;
    try (ResumingReader<Trade> reader = ResumingReader.trades(grpc.channel(), REQUEST, FAST)) {
      ids = reader.stream().map(Trade::getTradeId).collect(Collectors.toList());
      assertThat(reader.reconnects()).isEqualTo(1);
    }

    assertThat(ids).containsExactlyElementsOf(allTradeIds());
    assertThat(service.requests).extracting(ReadTradesRequest::getPageToken).containsExactly("", "after-8");
  }

  @Test
  void resourceExhaustedWithoutRetryInfo_isFinal() throws Exception {
    PagedTrades service = grpc.serve(new PagedTrades());
    service.scripts.add(new PagedTrades.Script(1, Status.RESOURCE_EXHAUSTED.withDescription("too many streams")));

    try (ResumingReader<Trade> reader = ResumingReader.trades(grpc.channel(), REQUEST, FAST)) {
      reader.next();
      reader.next();
      reader.next();
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, reader::hasNext);

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(reader.reconnects()).isZero();
    }
    assertThat(service.requests).hasSize(1);
  }

  @Test
  void aReadStartedFromAToken_continuesAfterIt() throws Exception {
    PagedTrades service = grpc.serve(new PagedTrades());

    List<String> ids = new ArrayList<>();
    try (ResumingReader<Trade> reader = ResumingReader.trades(grpc.channel(), REQUEST.toBuilder().setPageToken("after-22").build(), FAST)) {
      reader.forEachRemaining(t -> ids.add(t.getTradeId()));
    }

    assertThat(ids).containsExactlyElementsOf(allTradeIds().subList(23, TRADES));
    assertThat(service.requests).hasSize(1);
  }

  @Test
  void invalidArgument_isFinal_withoutReconnecting() throws Exception {
    PagedTrades service = grpc.serve(new PagedTrades());

    try (ResumingReader<Trade> reader = ResumingReader.trades(grpc.channel(), REQUEST.toBuilder().setPageToken("forged").build(), FAST)) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, reader::hasNext);

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).isEqualTo("page_token: not one of ours");
      assertThat(reader.hasNext()).isFalse();
    }
    assertThat(service.requests).hasSize(1);
  }

  @Test
  void unavailableWithoutAnyPageForRetryFor_givesUpWithTheLastStatus() throws Exception {
    PagedTrades service = grpc.serve(new PagedTrades());
    for (int i = 0; i < 100; i++) {
      service.scripts.add(new PagedTrades.Script(0, Status.UNAVAILABLE.withDescription("down " + i)));
    }

    ResumingReader.Options shortRetry = FAST.withRetryFor(Duration.ofSeconds(2));
    try (ResumingReader<Trade> reader = ResumingReader.trades(grpc.channel(), REQUEST, shortRetry)) {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, reader::hasNext);

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      // Backoff 100, 200, 400, 800 ms...: within two seconds a few attempts, not a hundred.
      assertThat(reader.reconnects()).isBetween(1, 5);
      assertThat(e.getStatus().getDescription()).isEqualTo("down " + reader.reconnects());
    }
  }

  @Test
  void aStreamThatStallsMidway_isAbandonedAfterThePageTimeout_andResumed() throws Exception {
    PagedTrades service = grpc.serve(new PagedTrades());
    service.scripts.add(new PagedTrades.Script(3, null)); // three pages, then silence

    List<String> ids;
    try (ResumingReader<Trade> reader = ResumingReader.trades(grpc.channel(), REQUEST, FAST.withPageTimeout(Duration.ofMillis(300)))) {
      ids = reader.stream().map(Trade::getTradeId).collect(Collectors.toList());
      assertThat(reader.reconnects()).isEqualTo(1);
    }

    assertThat(ids).containsExactlyElementsOf(allTradeIds());
    assertThat(service.requests).extracting(ReadTradesRequest::getPageToken).containsExactly("", "after-8");
    assertThat(service.cancelled.await(5, TimeUnit.SECONDS)).as("the stalled call is cancelled").isTrue();
  }

  @Test
  void aReaderThatIsNotRead_holdsTheServerBack_andClosingCancelsTheCall() throws Exception {
    PagedTrades service = grpc.serve(new PagedTrades());

    try (ResumingReader<Trade> reader = ResumingReader.trades(grpc.channel(), REQUEST, FAST)) {
      assertThat(reader.next().getTradeId()).isEqualTo("t-0");
      Thread.sleep(200); // room for the server to send more, were it allowed to
      // The page being read, plus the ones asked for ahead of it.
      assertThat(service.pagesSent.get()).isLessThanOrEqualTo(1 + ResumingReader.PAGES_AHEAD);
    }

    assertThat(service.cancelled.await(5, TimeUnit.SECONDS)).as("closing cancels the call").isTrue();
    assertThat(service.pagesSent.get()).isLessThan(TRADES / REQUEST.getPageSize());
  }

  @Test
  void orderBooks_resumeWithTheirToken_too() throws Exception {
    PagedTrades service = grpc.serve(new PagedTrades());

    List<Long> sequences;
    try (ResumingReader<OrderBookSnapshot> reader = ResumingReader.orderBooks(grpc.channel(),
        ReadOrderBooksRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(2).build(), FAST)) {
      sequences = reader.stream().map(OrderBookSnapshot::getSequenceId).collect(Collectors.toList());
    }

    assertThat(sequences).containsExactly(1L, 2L);
    assertThat(service.requests).extracting(ReadTradesRequest::getPageToken).containsExactly("", "after-1");
  }
}
