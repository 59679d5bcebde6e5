import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.client.TickvaultClient;
import io.tickvault.client.TradeStreamWriter;

public class Worker {
  public static void main(String[] args) throws Exception {
    try (TickvaultClient client = TickvaultClient.builder()
            .target(System.getenv().getOrDefault("TICKVAULT_TARGET", "127.0.0.1:50051"))
            .token(System.getenv("TICKVAULT_TOKEN"))
            .build();
        TradeStreamWriter trades = client.openTradeWriter()) {
      for (ApiKey key : client.getApiKeys("alice", 1)) {
        System.out.println("api key " + key.getAccessKey() + " (" + key.getLabel() + ")");
      }
      for (int i = 0; i < 10_000; i++) {
        trades.write(Trade.newBuilder().setExchangeId(1).setCurrencyPairNo(1).setTradeId("w-" + i)
            .setPrice("64250.5").setQuantity("0.01").setTakerSide(TradeSide.TRADE_SIDE_BUY)
            .setTradeTimeMs(1764115200000L + i).build());
      }
      TradeStreamWriter.Summary summary = trades.finish();
      System.out.printf("inserted %d, duplicates %d, rejected %d%n",
          summary.inserted(), summary.duplicates(), summary.rejected());
    }
  }
}
