package io.tickvault.server.trade;

import static io.tickvault.server.trade.TradeCalls.countTrades;
import static io.tickvault.server.trade.TradeCalls.ingest;
import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static io.tickvault.server.trade.TradeCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tickvault.api.v1.IngestTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The 4 MiB message limit is the transport's: it needs a real Netty server. */
class TradeMessageSizeIT {
  @RegisterExtension
  static TestServer server = TestServer.netty();

  @Test
  void messageOver4MiB_failsTheCallWithResourceExhausted() throws InterruptedException {
    registerMarket(server.channel(), 1, 1);
    // 100 trades (far under the per-request limit) carrying 45 KB of text each: about 4.5 MiB.
    List<Trade> big = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      big.add(trade(1, 1, "big-" + i, "1", "1").toBuilder().setPrice("9".repeat(45_000)).build());
    }
    assertThat(IngestTradesRequest.newBuilder().addAllTrades(big).build().getSerializedSize()).isGreaterThan(4 * 1024 * 1024);
    // The client's own limit is on what it receives, so it sends the big message as it is.
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> ingest(channel, List.of(big)));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(e.getStatus().getDescription()).contains("exceeds maximum").contains("4194304");
      assertThat(countTrades(server.database().jdbc())).isZero();
      // The limit is on one message, not on the stream: the same bytes in small messages arrive,
      // and the over-long prices are rejected one by one.
      List<List<Trade>> small = new ArrayList<>();
      for (int i = 0; i < big.size(); i += 10) {
        small.add(big.subList(i, i + 10));
      }
      var response = ingest(channel, small);
      assertThat(response.getReceived()).isEqualTo(100);
      assertThat(response.getRejected()).isEqualTo(100);
      assertThat(response.getRejections(0).getReason()).isEqualTo("is too long: 45000 characters (at most 38 significant digits, 18 after the point)");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
