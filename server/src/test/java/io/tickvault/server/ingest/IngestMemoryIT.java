package io.tickvault.server.ingest;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static io.tickvault.server.trade.TradeCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesRequest;
import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.metrics.Scrape;
import io.tickvault.server.testing.Ports;
import io.tickvault.server.testing.Responses;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One worker against a server with a 256 MiB heap while PostgreSQL is slow (the trades table is
 * locked by another transaction, so every write waits): big records must not pile up in the
 * server's memory, and the answer must fit a client's default 4 MiB receive limit. Flow control
 * holds the client back; once the lock is gone, every record is counted exactly.
 */
class IngestMemoryIT {
  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  private static ServerProcess server;
  private static int metricsPort;

  @BeforeAll
  static void start() {
    metricsPort = Ports.free();
    server = ServerProcess.start(database.url(), Map.of("TICKVAULT_METRICS_PORT", String.valueOf(metricsPort)), "256m");
    registerMarket(server.channel(), 1, 1);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void emptyTable() {
    database.truncate("trades");
  }

  @Test
  void tradesPaddedWithA39MiBUnknownField_doNotFillTheHeap_andAreAllStored() throws Exception {
    UnknownFieldSet padding = UnknownFieldSet.newBuilder()
        .addField(1000, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFrom(new byte[3_900_000])).build())
        .build();
    Outcome outcome = sendWhileTradesAreLocked(150, i -> IngestTradesRequest.newBuilder()
        .addTrades(trade(1, 1, "pad-" + i, "1", "1").toBuilder().setUnknownFields(padding))
        .build());

    assertThat(outcome.summary().getReceived()).isEqualTo(outcome.sent());
    assertThat(outcome.summary().getInserted()).isEqualTo(outcome.sent());
    assertServerHealthy();
  }

  @Test
  void overLongTradeIds_areHeldBack_andTheSummaryFitsTheClientsDefaultLimit_withCutKeysAndExactCounts() throws Exception {
    // Each request: three trades with a 1 MiB trade_id (rejected) and one valid trade.
    String longId = "x".repeat(1_048_576);
    Outcome outcome = sendWhileTradesAreLocked(60, i -> IngestTradesRequest.newBuilder()
        .addTrades(trade(1, 1, longId, "1", "1"))
        .addTrades(trade(1, 1, longId, "1", "1"))
        .addTrades(trade(1, 1, longId, "1", "1"))
        .addTrades(trade(1, 1, "ok-" + i, "1", "1"))
        .build());

    IngestTradesResponse summary = outcome.summary();
    assertThat(summary.getReceived()).isEqualTo(4L * outcome.sent());
    assertThat(summary.getInserted()).isEqualTo(outcome.sent());
    assertThat(summary.getRejected()).isEqualTo(3L * outcome.sent());
    assertThat(summary.getRejectionsList()).hasSize((int) summary.getRejected());
    assertThat(summary.getRejectionsTruncated()).isFalse();
    assertThat(summary.getRejections(0).getRecordKey())
        .isEqualTo("1/1/" + "x".repeat(124) + "…(1048580 characters)");
    assertThat(summary.getRejections(0).getReason()).isEqualTo("has 1048576 characters, at most 64 are allowed");
    assertThat(summary.getSerializedSize()).isLessThan(1024 * 1024 + 1024);
    assertServerHealthy();
  }

  private record Outcome(int sent, IngestTradesResponse summary) {}

  /**
   * Locks the trades table, sends up to {@code max} requests as fast as flow control lets them go
   * (stopping once the client has been held back for two seconds, or after a minute), prints the
   * server's heap, unlocks, half-closes and returns the summary.
   */
  private static Outcome sendWhileTradesAreLocked(int max, IntFunction<IngestTradesRequest> request) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try (Connection lock = DriverManager.getConnection(database.url())) {
      lock.setAutoCommit(false);
      try (Statement statement = lock.createStatement()) {
        statement.execute("LOCK TABLE trades IN EXCLUSIVE MODE");
      }
      Sender sender = new Sender(max, request);
      IngestServiceGrpc.newStub(channel).ingestTrades(sender);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long heldSince = 0;
      while (System.nanoTime() < deadline && !sender.first().isDone() && sender.sent() < max) {
        if (sender.heldBack()) {
          heldSince = heldSince == 0 ? System.nanoTime() : heldSince;
          if (System.nanoTime() - heldSince > TimeUnit.SECONDS.toNanos(2)) {
            break;
          }
        } else {
          heldSince = 0;
        }
        Thread.sleep(20); // polling the sender's progress
      }
      System.out.printf("IngestMemoryIT: %d requests sent while the table was locked; server heap %.0f MiB%n",
          sender.sent(), heapMiB());
      lock.commit();
      sender.finish();
      IngestTradesResponse summary = sender.first().get(2, TimeUnit.MINUTES);
      return new Outcome(sender.sent(), summary);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static double heapMiB() throws Exception {
    return Scrape.of(metricsPort).valueOrZero("jvm_memory_used_bytes", "area", "heap") / (1024 * 1024);
  }

  private static void assertServerHealthy() throws Exception {
    assertThat(server.isAlive()).isTrue();
    assertThat(HealthGrpc.newBlockingStub(server.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    assertThat(Files.readString(Path.of(server.log().getPath()))).doesNotContain("OutOfMemoryError");
  }

  /** Sends requests only while the call is ready: what the server does not read stays here. */
  private static final class Sender extends Responses<IngestTradesResponse>
      implements ClientResponseObserver<IngestTradesRequest, IngestTradesResponse> {
    private final int max;
    private final IntFunction<IngestTradesRequest> request;
    private ClientCallStreamObserver<IngestTradesRequest> stream;
    private int sent;
    private boolean finishing;

    Sender(int max, IntFunction<IngestTradesRequest> request) {
      this.max = max;
      this.request = request;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<IngestTradesRequest> requestStream) {
      stream = requestStream;
      requestStream.setOnReadyHandler(this::sendWhileReady);
    }

    private synchronized void sendWhileReady() {
      while (!finishing && sent < max && stream.isReady() && !first().isDone()) {
        stream.onNext(request.apply(sent++));
      }
    }

    synchronized boolean heldBack() {
      return !stream.isReady();
    }

    synchronized int sent() {
      return sent;
    }

    /** Sends nothing more and half-closes. */
    synchronized void finish() {
      finishing = true;
      stream.onCompleted();
    }
  }
}
