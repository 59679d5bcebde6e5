package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tickvault.api.v1.CurrencyPair;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: no database or Redis configured, data kept in the data dir across restarts. */
class EmbeddedDefaultIT {
  @TempDir
  Path dataDir;

  @Test
  void marketsPutBeforeARestart_areStillThereAfterIt() throws Exception {
    ServerConfig config = ServerConfig.fromEnvironment(Map.of(
        "TICKVAULT_DATA_DIR", dataDir.toString(),
        "TICKVAULT_GRPC_PORT", "0",
        "TICKVAULT_METRICS_PORT", "0"));
    assertThat(config.endpoints().bindAddress()).isEqualTo("127.0.0.1");

    try (Application app = Application.start(config)) {
      withMarkets(app, markets -> {
        markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
        markets.putCurrencyPair(PutCurrencyPairRequest.newBuilder()
            .setExchangeId(1).setCurrencyPairNo(1).setBaseCurrency("BTC").setQuoteCurrency("USDT").build());
      });
    }
    assertThat(Files.exists(dataDir.resolve("postgres"))).isTrue();

    try (Application app = Application.start(config)) {
      withMarkets(app, markets -> {
        List<CurrencyPair> pairs = markets.listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()).getCurrencyPairsList();
        assertThat(pairs).extracting(CurrencyPair::getExchangeCode, CurrencyPair::getBaseCurrency)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("binance", "BTC"));
      });
    }
  }

  private static void withMarkets(Application app, java.util.function.Consumer<MarketServiceGrpc.MarketServiceBlockingStub> body) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", app.grpcPort()).usePlaintext().build();
    try {
      body.accept(MarketServiceGrpc.newBlockingStub(channel));
    } finally {
      channel.shutdownNow();
    }
  }
}
