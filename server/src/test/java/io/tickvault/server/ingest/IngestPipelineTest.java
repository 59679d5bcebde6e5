package io.tickvault.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.grpc.MemoryBudget;
import io.tickvault.server.metrics.IngestMetrics;
import io.tickvault.server.trade.TradeCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two full batches of a stream in flight: the next one starts writing only once the last one's
 * rows are in, the two overlap while the last one commits, acks keep request order, and a writer
 * pool of one thread still gets every batch written (no task waits for a write: the answering task
 * parks until the write is done).
 */
class IngestPipelineTest {
  private static final int REQUESTS = 30;
  private static final int TRADES_PER_REQUEST = 10;
  /** One request per batch, so the order of batches is the order of requests. */
  private static final IngestLimits LIMITS = new IngestLimits(10_000, TRADES_PER_REQUEST, 100, 100);

  private final ExecutorService transport = Executors.newFixedThreadPool(2);
  private ExecutorService writers;
  private Server server;
  private ManagedChannel channel;
  /** What the sink saw, in order: "start 3", "rows 3", "end 3" (3: the batch's first trade id / 10). */
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    transport.shutdownNow();
    writers.shutdownNow();
  }

  @Test
  void theNextBatchStartsOnceTheLastOnesRowsAreIn_andOverlapsItsCommit() throws Exception {
    start(Executors.newFixedThreadPool(4));

    List<IngestTradesAck> acks = streamAll();

    assertThat(acks).extracting(IngestTradesAck::getRequestIndex)
        .containsExactlyElementsOf(LongStream.range(0, REQUESTS).boxed().toList());
    assertThat(acks).allSatisfy(ack -> assertThat(ack.getInserted()).isEqualTo(TRADES_PER_REQUEST));
    int overlaps = 0;
    for (int batch = 1; batch < REQUESTS; batch++) {
      int started = events.indexOf("start " + batch);
      assertThat(started).as("batch %d starts after batch %d's rows are in", batch, batch - 1)
          .isGreaterThan(events.indexOf("rows " + (batch - 1)));
      if (started < events.indexOf("end " + (batch - 1))) {
        overlaps++;
      }
    }
    // The sink's "commit" takes 20 ms and the client sends everything at once: the next batch is
    // ready each time, so it starts while the last one commits.
    assertThat(overlaps).as("batches that started while the one before committed").isGreaterThan(REQUESTS / 2);
  }

  @Test
  void aWriterPoolWithOneThread_stillWritesAndAnswersEveryBatchInOrder() throws Exception {
    start(Executors.newFixedThreadPool(1)); // the group write and the answering task take turns on it

    List<IngestTradesAck> acks = streamAll();

    assertThat(acks).extracting(IngestTradesAck::getRequestIndex)
        .containsExactlyElementsOf(LongStream.range(0, REQUESTS).boxed().toList());
    assertThat(acks.stream().mapToLong(IngestTradesAck::getInserted).sum()).isEqualTo(REQUESTS * TRADES_PER_REQUEST);
  }

  private List<IngestTradesAck> streamAll() {
    List<List<Trade>> requests = new ArrayList<>();
    for (int r = 0; r < REQUESTS; r++) {
      List<Trade> request = new ArrayList<>();
      for (int i = 0; i < TRADES_PER_REQUEST; i++) {
        request.add(Trade.newBuilder().setTradeId(Integer.toString(r * TRADES_PER_REQUEST + i)).build());
      }
      requests.add(request);
    }
    return TradeCalls.stream(channel, requests);
  }

  /** Accepts and inserts everything; notes when each batch starts, has its rows in, and ends. */
  private final RecordSink<Trade> sink = new AcceptingSink() {
    @Override
    public boolean[] write(List<Trade> records, Runnable rowsWritten) {
      int batch = Integer.parseInt(records.get(0).getTradeId()) / TRADES_PER_REQUEST;
      events.add("start " + batch);
      pause(5); // the rows going in
      events.add("rows " + batch);
      rowsWritten.run();
      pause(20); // the commit
      events.add("end " + batch);
      return allInserted(records);
    }
  };

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void start(ExecutorService writerPool) throws Exception {
    writers = writerPool;
    StreamIngestor<Trade> ingestor = new StreamIngestor<>(sink, writers, LIMITS, new MemoryBudget(Long.MAX_VALUE),
        IdleTimeout.OFF, "trades", new IngestMetrics(new PrometheusRegistry()), IngestMetrics.Kind.TRADE);
    String name = "pipeline-" + System.nanoTime();
    server = InProcessServerBuilder.forName(name).executor(transport).addService(new IngestServiceGrpc.IngestServiceImplBase() {
      @Override
      public StreamObserver<StreamTradesRequest> streamTrades(StreamObserver<IngestTradesAck> responses) {
        return ingestor.acknowledgeEach(Scope.UNRESTRICTED, responses, StreamTradesRequest::getTradesList, IngestPipelineTest::ack);
      }
    }).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  private static IngestTradesAck ack(RequestOutcome outcome) {
    return IngestTradesAck.newBuilder().setRequestIndex(outcome.requestIndex()).setReceived(outcome.received())
        .setInserted(outcome.inserted()).setDuplicates(outcome.duplicates()).build();
  }
}
