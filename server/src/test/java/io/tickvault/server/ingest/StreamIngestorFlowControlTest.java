package io.tickvault.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.grpc.MemoryBudget;
import io.tickvault.server.metrics.IngestMetrics;
import io.tickvault.server.testing.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The machinery's flow control with a sink that stands still (as PostgreSQL does when it is slow):
 * the server stops reading once its buffer is full (in records, in bytes, or the server's byte
 * budget across streams), so a client that sends as fast as it may is held back instead of filling
 * the server's memory; once the sink moves, every request is acknowledged in order.
 */
class StreamIngestorFlowControlTest {
  private static final int TRADES_PER_REQUEST = 10;
  private static final IngestLimits LIMITS = new IngestLimits(10_000, 100, 300, 100);

  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch writing = new CountDownLatch(1);
  private final AtomicInteger requestsRead = new AtomicInteger();
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private Server server;
  private ManagedChannel channel;

  /** Accepts everything, inserts everything, and blocks its first write until released. */
  private final RecordSink<Trade> stuckSink = new AcceptingSink() {
    @Override
    public boolean[] write(List<Trade> records, Runnable rowsWritten) {
      writing.countDown();
      try {
        release.await(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return allInserted(records);
    }
  };

  private void startServer(IngestLimits limits, MemoryBudget memory) throws Exception {
    StreamIngestor<Trade> ingestor = new StreamIngestor<>(stuckSink, executor, limits, memory, IdleTimeout.OFF, "trades",
        new IngestMetrics(new PrometheusRegistry()), IngestMetrics.Kind.TRADE);
    String name = "flow-" + System.nanoTime();
    server = InProcessServerBuilder.forName(name).executor(executor).addService(new IngestServiceGrpc.IngestServiceImplBase() {
      @Override
      public StreamObserver<StreamTradesRequest> streamTrades(StreamObserver<IngestTradesAck> responses) {
        return ingestor.acknowledgeEach(Scope.UNRESTRICTED, responses, request -> {
          requestsRead.incrementAndGet();
          return request.getTradesList();
        }, outcome -> IngestTradesAck.newBuilder().setRequestIndex(outcome.requestIndex())
            .setReceived(outcome.received()).setInserted(outcome.inserted()).build());
      }
    }).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    executor.shutdownNow();
  }

  @Test
  void aStuckSink_stopsTheServerReading_andTheClientIsHeldBack_thenEveryRequestIsAckedInOrder() throws Exception {
    startServer(LIMITS, new MemoryBudget(Long.MAX_VALUE));
    int total = 2_000;
    Sender sender = new Sender(total, 0);
    IngestServiceGrpc.newStub(channel).streamTrades(sender);

    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    awaitHeldBack(sender);
    // At most maxBufferedRecords (300 = 30 requests) plus the one request read past the limit.
    assertThat(requestsRead.get()).isLessThanOrEqualTo(LIMITS.maxBufferedRecords() / TRADES_PER_REQUEST + 1);
    assertThat(sender.sent()).isLessThan(total);

    release.countDown();
    assertAllAckedInOrder(sender, total);
  }

  @Test
  void largeRecords_stopTheReadingAtTheByteLimit_longBeforeTheRecordLimit() throws Exception {
    // Requests of 10 trades of about 10 KB each: 100 KB a request; 300 KB of them at most.
    IngestLimits limits = new IngestLimits(10_000, 100, 300, 100, 300_000);
    startServer(limits, new MemoryBudget(Long.MAX_VALUE));
    int total = 50;
    Sender sender = new Sender(total, 10_000);
    IngestServiceGrpc.newStub(channel).streamTrades(sender);

    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    awaitHeldBack(sender);
    // 3 requests fill the byte limit, plus the one read past it; the record limit (300) would
    // have let all 30 in.
    assertThat(requestsRead.get()).isLessThanOrEqualTo(4);

    release.countDown();
    assertAllAckedInOrder(sender, total);
  }

  @Test
  void theServersByteBudget_holdsBackEveryStream_andEachResumesWhenBytesAreGivenBack() throws Exception {
    MemoryBudget memory = new MemoryBudget(300_000);
    startServer(new IngestLimits(10_000, 100, 300, 100, Long.MAX_VALUE), memory);
    Sender first = new Sender(20, 10_000);
    Sender second = new Sender(20, 10_000);
    IngestServiceGrpc.newStub(channel).streamTrades(first);
    IngestServiceGrpc.newStub(channel).streamTrades(second);

    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    awaitHeldBack(first);
    awaitHeldBack(second);
    // Both streams together: the budget, plus at most one request each read past it.
    assertThat(memory.usedBytes()).isLessThanOrEqualTo(300_000 + 2 * 110_000);
    assertThat(requestsRead.get()).isLessThanOrEqualTo(5);

    release.countDown();
    assertAllAckedInOrder(first, 20);
    assertAllAckedInOrder(second, 20);
    assertThat(memory.usedBytes()).isZero();
  }

  private static void awaitHeldBack(Sender sender) {
    Eventually.await("the client waits for the server", Duration.ofSeconds(10), sender::heldBack);
  }

  private static void assertAllAckedInOrder(Sender sender, int total) throws Exception {
    List<IngestTradesAck> acks = sender.done.get(1, TimeUnit.MINUTES);
    assertThat(acks).extracting(IngestTradesAck::getRequestIndex)
        .containsExactlyElementsOf(LongStream.range(0, total).boxed().toList());
    assertThat(acks.stream().mapToLong(IngestTradesAck::getInserted).sum()).isEqualTo((long) total * TRADES_PER_REQUEST);
  }

  /** Sends {@code total} requests as fast as the call is ready, each trade padded with some bytes. */
  private static final class Sender implements ClientResponseObserver<StreamTradesRequest, IngestTradesAck> {
    final CompletableFuture<List<IngestTradesAck>> done = new CompletableFuture<>();
    private final List<IngestTradesAck> acks = new ArrayList<>();
    private final int total;
    private final String padding;
    private ClientCallStreamObserver<StreamTradesRequest> stream;
    private int sent;

    Sender(int total, int paddingBytes) {
      this.total = total;
      this.padding = "p".repeat(paddingBytes);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<StreamTradesRequest> requestStream) {
      stream = requestStream;
      requestStream.setOnReadyHandler(this::sendWhileReady);
    }

    private synchronized void sendWhileReady() {
      while (stream.isReady() && sent < total) {
        StreamTradesRequest.Builder request = StreamTradesRequest.newBuilder();
        for (int i = 0; i < TRADES_PER_REQUEST; i++) {
          request.addTrades(Trade.newBuilder().setTradeId(sent + "-" + i).setPrice(padding));
        }
        stream.onNext(request.build());
        if (++sent == total) {
          stream.onCompleted();
        }
      }
    }

    synchronized boolean heldBack() {
      return sent < total && !stream.isReady();
    }

    synchronized int sent() {
      return sent;
    }

    @Override
    public synchronized void onNext(IngestTradesAck ack) {
      acks.add(ack);
    }

    @Override
    public synchronized void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public synchronized void onCompleted() {
      done.complete(List.copyOf(acks));
    }
  }
}
