package io.tickvault.client.cli;

import static io.tickvault.client.cli.Cli.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.tickvault.api.v1.OrderBookSnapshot;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code tickvault subscribe trades|orderbooks}, in-JVM against a real server: the stored records, then the ones that land. */
class SubscribeCliIT extends CliAgainstServer {
  private static final String HEADER = "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms,receive_time_ms";

  @Test
  void subscribeTrades_printsTheStoredTradesFromItsStart_thenTheOnesIngestedWhileItRuns() throws Exception {
    cli.registerBinanceBtcUsdt();
    List<String> stored = List.of(
        "1,1,t-0,64000,1,BUY,1764115100000,1764115100001",
        "1,1,t-1,64000.10,0.5,SELL,1764115200000,1764115200001",
        "1,1,t-2,64000.20,0.25,BUY,1764115200500,1764115200501");
    List<String> later = List.of(
        "1,1,late-1,63999.90,2,SELL,1764115200200,1764115200201",
        "1,1,t-3,64001,0.125,BUY,1764115300000,1764115300001");
    ok(cli.run("ingest", "trades", Files.write(dir.resolve("stored.csv"), lines(stored)).toString()));

    CompletableFuture<Cli.Result> subscribed = CompletableFuture.supplyAsync(() -> cli.run("subscribe", "trades",
        "--exchange-id", "1", "--pair-no", "1", "--from", "1764115200000", "--max", "4", "-o", "csv"));
    // Whether the subscription reads its history before or after this commit, each of the four
    // trades from --from comes once: as stored, or as committed.
    ok(cli.run("ingest", "trades", Files.write(dir.resolve("later.csv"), lines(later)).toString()));

    Cli.Result result = subscribed.get(60, TimeUnit.SECONDS);
    ok(result);
    List<String> out = List.of(result.out().split("\n"));
    assertThat(out.get(0)).isEqualTo(HEADER);
    assertThat(out.subList(1, out.size())).containsExactlyInAnyOrder(stored.get(1), stored.get(2), later.get(0), later.get(1));
  }

  @Test
  void subscribeOrderBooks_printsTheStoredSnapshotsFromItsStart_thenTheOnesIngestedWhileItRuns_atItsDepth()
      throws Exception {
    cli.registerBinanceBtcUsdt();
    ok(cli.run("ingest", "orderbooks", Files.write(dir.resolve("stored.jsonl"), List.of(book(1764115100000L, 1),
        book(1764115200000L, 2), book(1764115200500L, 3))).toString()));

    CompletableFuture<Cli.Result> subscribed = CompletableFuture.supplyAsync(() -> cli.run("subscribe", "orderbooks",
        "--exchange-id", "1", "--pair-no", "1", "--from", "1764115200000", "--depth", "1", "--max", "4"));
    ok(cli.run("ingest", "orderbooks", Files.write(dir.resolve("later.jsonl"), List.of(book(1764115200200L, 4),
        book(1764115300000L, 5))).toString()));

    Cli.Result result = subscribed.get(60, TimeUnit.SECONDS);
    ok(result);
    List<OrderBookSnapshot> out = new java.util.ArrayList<>();
    for (String line : result.out().split("\n")) {
      OrderBookSnapshot.Builder b = OrderBookSnapshot.newBuilder();
      JsonFormat.parser().merge(line, b);
      out.add(b.build());
    }
    assertThat(out).extracting(OrderBookSnapshot::getSequenceId).containsExactlyInAnyOrder(2L, 3L, 4L, 5L);
    assertThat(out).allMatch(b -> b.getBidsCount() == 1 && b.getAsksCount() == 1
        && b.getBids(0).getPrice().equals("64000.50"));
    assertThat(cli.run("subscribe", "orderbooks", "--exchange-id", "1", "--pair-no", "1", "--depth", "-1").err())
        .contains("depth: must be 1 to 32768, or 0 for every level, got -1");
  }

  /** A snapshot of two levels a side, as 'ingest orderbooks' reads it. */
  private static String book(long time, long sequence) {
    return "{\"exchangeId\":1,\"currencyPairNo\":1,\"serverTimeMs\":\"" + time + "\",\"sequenceId\":\"" + sequence
        + "\",\"bids\":[{\"price\":\"64000.50\",\"quantity\":\"1\"},{\"price\":\"63999\",\"quantity\":\"2\"}],"
        + "\"asks\":[{\"price\":\"64001\",\"quantity\":\"1\"},{\"price\":\"64002\",\"quantity\":\"3\"}]}";
  }

  private static List<String> lines(List<String> rows) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(HEADER), rows.stream()).toList();
  }
}
