package io.tickvault.client.cli;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.GapReason;
import io.tickvault.client.TickvaultClient;
import io.tickvault.client.TradeStreamWriter;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code tickvault coverage} and {@code tickvault feeds}, in-JVM against a real server. */
class CoverageCliIT {
  static final long T = TradeCalls.TIME;
  static final long S = 1_000;

  @RegisterExtension
  static TestServer server = TestServer.netty();

  static String target;

  @BeforeAll
  static void claimAndReport() throws Exception {
    registerMarket(server.channel(), 1, 1);
    target = "127.0.0.1:" + server.port();
    try (TickvaultClient client = TickvaultClient.builder().target(target).build();
         TradeStreamWriter writer = client.openTradeWriter()) {
      writer.write(TradeCalls.trade(1, 1, "a", "1.5", "2").toBuilder().setTradeTimeMs(T + 5 * S).build());
      writer.claimCoverage(1, 1, T, T + 10 * S);
      writer.claimCoverage(1, 1, T + 20 * S, T + 30 * S);
      writer.finish();
      client.coverage().reportGap(1, 1, Channel.CHANNEL_TRADES, T + 10 * S, T + 20 * S, GapReason.GAP_REASON_SEQUENCE_JUMP, "17 then 40");
    }
  }

  static String at(long ms) {
    return Instant.ofEpochMilli(ms).toString();
  }

  @Test
  void coverage_listsTheHoleWithItsReport_andExits7() {
    Cli.Result result = new Cli().run("coverage", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--from", String.valueOf(T), "--to", String.valueOf(T + 30 * S));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INCOMPLETE);
    assertThat(result.out()).isEqualTo("incomplete: 1 hole(s)\n"
        + "covered [" + at(T) + ", " + at(T + 10 * S) + ")\n"
        + "covered [" + at(T + 20 * S) + ", " + at(T + 30 * S) + ")\n"
        + "hole    [" + at(T + 10 * S) + ", " + at(T + 20 * S) + ")\n"
        + "        reported [" + at(T + 10 * S) + ", " + at(T + 20 * S) + ") sequence_jump: 17 then 40\n");
  }

  @Test
  void coverageOfACompleteRange_exits0_andJsonIsTheResponse() {
    Cli.Result result = new Cli().run("coverage", "--target", target, "--exchange-id", "1", "--pair-no", "1",
        "--from", String.valueOf(T + S), "--to", String.valueOf(T + 9 * S), "-o", "json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("{\"complete\":true,\"covered\":[{\"from_time_ms\":\"" + (T + S)
        + "\",\"until_time_ms\":\"" + (T + 9 * S) + "\"}]}\n");
  }

  @Test
  void feeds_listsEachFeedsFreshness() {
    Cli.Result table = new Cli().run("feeds", "--target", target);

    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out().lines().skip(1).findFirst().orElseThrow().split("\\s+"))
        .containsExactly("1", "1", "trades", at(T + 30 * S), at(T + 5 * S));
    assertThat(new Cli().run("feeds", "--target", target, "-o", "json").out()).isEqualTo("{\"exchange_id\":1,"
        + "\"currency_pair_no\":1,\"channel\":\"CHANNEL_TRADES\",\"covered_until_ms\":\"" + (T + 30 * S)
        + "\",\"last_record_time_ms\":\"" + (T + 5 * S) + "\"}\n");
  }
}
