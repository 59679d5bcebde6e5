package io.tickvault.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.trade.TradeCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that cancels a read is not an error: the server, run from the jar the build made (so
 * with the production logging configuration), logs no warning and no stack trace for it, even when
 * much of the answer was still waiting to be sent when the cancel came.
 */
class CancelledReadLogIT {
  private static final Path JAR = Path.of("target", "tickvault-server.jar");
  private static final int TRADES = 30_000;

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  private static ServerProcess server;

  @BeforeAll
  static void start() {
    assertThat(JAR).as("made by ./mvnw package, before the integration tests").exists();
    server = ServerProcess.startJar(JAR, database.url(), Map.of());
    TradeCalls.registerMarket(server.channel(), 1, 1);
    List<List<Trade>> batches = new ArrayList<>();
    for (long first = 0; first < TRADES; first += 5_000) {
      batches.add(LongStream.range(first, first + 5_000).mapToObj(TradeCalls::trade).toList());
    }
    TradeCalls.ingest(server.channel(), batches);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void readTradesCancelledByTheClient_logsNoWarningAndNoStackTrace() throws Exception {
    long logStart = server.log().length();
    // A window far smaller than a page: once the answer has begun, most of the page waits in the
    // server for the client to make room, as behind a slow reader, when the cancel comes.
    ManagedChannel slowReader = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
        .flowControlWindow(65_536).build();
    try {
      for (int i = 0; i < 10; i++) {
        assertThat(cancelOnceAnswering(slowReader)).isEqualTo(Status.Code.CANCELLED);
      }
    } finally {
      slowReader.shutdownNow();
    }
    // A whole read after them, on the same connection: the server has handled the cancels by then.
    int read = 0;
    for (Iterator<ReadTradesResponse> pages = QueryServiceGrpc.newBlockingStub(server.channel())
        .withDeadlineAfter(60, TimeUnit.SECONDS).readTrades(request()); pages.hasNext(); ) {
      read += pages.next().getTradesCount();
    }
    assertThat(read).isEqualTo(TRADES);

    byte[] log = Files.readAllBytes(server.log().toPath());
    String since = new String(log, (int) logStart, log.length - (int) logStart, StandardCharsets.UTF_8);
    assertThat(since).as("the server's log after the cancels")
        .doesNotContain(" WARN ").doesNotContain(" ERROR ").doesNotContain("\tat ").doesNotContain("Exception");
  }

  private static ReadTradesRequest request() {
    return ReadTradesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1).setPageSize(10_000).build();
  }

  /**
   * ReadTrades of every trade in the largest pages, reading none of them: cancelled as soon as the
   * server's answer begins (its headers). Returns the status the call ended with.
   */
  private static Status.Code cancelOnceAnswering(Channel channel) throws Exception {
    ClientCall<ReadTradesRequest, ReadTradesResponse> call =
        channel.newCall(QueryServiceGrpc.getReadTradesMethod(), CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
    CompletableFuture<Status.Code> ended = new CompletableFuture<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata headers) {
        call.cancel("the client has read enough", null);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        ended.complete(status.getCode());
      }
    }, new Metadata());
    call.sendMessage(request());
    call.halfClose();
    return ended.get(60, TimeUnit.SECONDS);
  }
}
