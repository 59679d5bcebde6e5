package io.tickvault.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.IngestTradesRequest;
import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.grpc.MemoryBudget;
import io.tickvault.server.metrics.IngestMetrics;
import io.tickvault.server.testing.Responses;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An ingestion call never hangs on a bug of the server's: whatever throws while the call writes,
 * answers or reads (the sink, the summary, an ack, reading a request), the call ends INTERNAL
 * with a short message, and the bytes it held go back to the server's {@link MemoryBudget}.
 * Without that the client waited for its deadline (forever without one) while the bytes stayed
 * counted against every other stream.
 */
class IngestCallFailuresTest {
  private static final Trade TRADE = Trade.newBuilder().setTradeId("t").setPrice("1").setQuantity("1").build();

  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final MemoryBudget memory = new MemoryBudget(Long.MAX_VALUE);
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    executor.shutdownNow();
  }

  @Test
  void aSummaryThatCannotBeBuilt_endsTheCallInternal_andGivesItsBytesBack() throws Exception {
    start(sink(null), request -> request.getTradesList(), summary -> {
      throw new IllegalStateException("a summary that cannot be built");
    }, outcome -> IngestTradesAck.getDefaultInstance());

    assertInternal(summarize(3), "IllegalStateException");
  }

  @Test
  void aSinkThatThrowsAnError_endsTheCallInternal_andGivesItsBytesBack() throws Exception {
    start(sink(new AssertionError("a bug in the sink")), request -> request.getTradesList(),
        summary -> IngestTradesResponse.getDefaultInstance(), outcome -> IngestTradesAck.getDefaultInstance());

    assertInternal(summarize(3), "AssertionError");
  }

  @Test
  void anAckThatCannotBeBuilt_endsTheStreamInternal_andGivesItsBytesBack() throws Exception {
    start(sink(null), request -> request.getTradesList(), summary -> IngestTradesResponse.getDefaultInstance(),
        outcome -> {
          throw new IllegalArgumentException("an ack that cannot be built");
        });

    Responses<IngestTradesAck> acks = new Responses<>();
    StreamObserver<StreamTradesRequest> requests = IngestServiceGrpc.newStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS).streamTrades(acks);
    for (int i = 0; i < 3; i++) {
      requests.onNext(StreamTradesRequest.newBuilder().addTrades(TRADE).build());
    }
    // Not half-closed: the client waits for its acks, as a worker does.
    assertInternal(acks.end(), "IllegalArgumentException");
    requests.onCompleted();
  }

  @Test
  void aRequestThatCannotBeRead_endsTheCallInternal_inItsPlace() throws Exception {
    start(sink(null), request -> {
      if (request.getTradesCount() > 1) {
        throw new IllegalStateException("a request that cannot be read");
      }
      return request.getTradesList();
    }, summary -> IngestTradesResponse.getDefaultInstance(), outcome -> IngestTradesAck.getDefaultInstance());

    Responses<IngestTradesResponse> summary = new Responses<>();
    StreamObserver<IngestTradesRequest> requests = IngestServiceGrpc.newStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS).ingestTrades(summary);
    requests.onNext(IngestTradesRequest.newBuilder().addTrades(TRADE).build());
    requests.onNext(IngestTradesRequest.newBuilder().addTrades(TRADE).addTrades(TRADE).build());
    requests.onCompleted();

    assertInternal(summary.end(), "IllegalStateException");
  }

  private void assertInternal(CompletableFuture<Status> end, String exception) throws Exception {
    Status status = end.get(30, TimeUnit.SECONDS);
    assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INTERNAL);
    assertThat(status.getDescription()).isEqualTo("the server failed while ingesting (" + exception
        + "): records not acknowledged may or may not be stored; sending them again is safe");
    assertThat(memory.usedBytes()).as("bytes still held by the failed call").isZero();
  }

  /** IngestTrades with {@code requests} requests of one trade, half-closed: how the call ended. */
  private CompletableFuture<Status> summarize(int requestCount) {
    Responses<IngestTradesResponse> summary = new Responses<>();
    StreamObserver<IngestTradesRequest> requests = IngestServiceGrpc.newStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS).ingestTrades(summary);
    for (int i = 0; i < requestCount; i++) {
      requests.onNext(IngestTradesRequest.newBuilder().addTrades(TRADE).build());
    }
    requests.onCompleted();
    return summary.end();
  }

  /** Accepts every record; its write inserts them all, or throws {@code failure} when one is given. */
  private static RecordSink<Trade> sink(Error failure) {
    return new AcceptingSink() {
      @Override
      public boolean[] write(List<Trade> records, Runnable rowsWritten) {
        if (failure != null) {
          throw failure;
        }
        return allInserted(records);
      }
    };
  }

  private void start(RecordSink<Trade> sink, Function<IngestTradesRequest, List<Trade>> recordsOf,
                     Function<IngestSummary, IngestTradesResponse> summary,
                     Function<RequestOutcome, IngestTradesAck> ack) throws Exception {
    StreamIngestor<Trade> ingestor = new StreamIngestor<>(sink, executor, IngestLimits.DEFAULT, memory, IdleTimeout.OFF,
        "trades", new IngestMetrics(new PrometheusRegistry()), IngestMetrics.Kind.TRADE);
    String name = "failures-" + System.nanoTime();
    server = InProcessServerBuilder.forName(name).executor(executor).addService(new IngestServiceGrpc.IngestServiceImplBase() {
      @Override
      public StreamObserver<IngestTradesRequest> ingestTrades(StreamObserver<IngestTradesResponse> responses) {
        return ingestor.summarize(Scope.UNRESTRICTED, responses, recordsOf, summary);
      }

      @Override
      public StreamObserver<StreamTradesRequest> streamTrades(StreamObserver<IngestTradesAck> responses) {
        return ingestor.acknowledgeEach(Scope.UNRESTRICTED, responses, StreamTradesRequest::getTradesList, ack);
      }
    }).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }
}
