package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.Ports;
import io.tickvault.server.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code tickvault markets …} and {@code tickvault health}, in-JVM against a real server. */
class MarketsAndHealthCliIT {
  @RegisterExtension
  static TestServer server = TestServer.netty();

  private String target;

  @BeforeEach
  void setUp() {
    server.database().truncate("currency_pairs", "exchanges CASCADE");
    target = "127.0.0.1:" + server.port();
  }

  @Test
  void putExchangeAndPairs_thenListShowsThemAsTableAndJson() {
    Cli cli = new Cli();

    assertThat(cli.run("markets", "put-exchange", "--target", target, "--exchange-id", "1", "--code", "binance").out())
        .isEqualTo("created\n");
    assertThat(cli.run("markets", "put-exchange", "--target", target, "--exchange-id", "1", "--code", "binance").out())
        .isEqualTo("updated\n");
    Cli.Result pair = cli.run("markets", "put-pair", "--target", target,
        "--exchange-id", "1", "--pair-no", "7", "--base", "BTC", "--quote", "USDT");
    assertThat(pair.exitCode()).as(pair.toString()).isZero();

    Cli.Result table = cli.run("markets", "list", "--target", target);
    assertThat(table.exitCode()).isZero();
    assertThat(table.out().lines()).hasSize(2);
    assertThat(table.out().lines().skip(1).findFirst().orElseThrow().split("\\s+"))
        .containsExactly("1", "binance", "7", "BTC", "USDT");
    Cli.Result json = cli.run("markets", "list", "--target", target, "--json");
    assertThat(json.out()).isEqualTo(
        "{\"exchange_id\":1,\"exchange_code\":\"binance\",\"currency_pair_no\":7,\"base_currency\":\"BTC\",\"quote_currency\":\"USDT\"}\n");
  }

  @Test
  void marketsList_showsAnExchangeThatHasNoPairsYet() {
    Cli cli = new Cli();
    assertThat(cli.run("markets", "put-exchange", "--target", target, "--exchange-id", "3", "--code", "kraken").exitCode())
        .isZero();

    Cli.Result table = cli.run("markets", "list", "--target", target, "--exchange-id", "3");

    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out().lines().skip(1).map(line -> List.of(line.split("\\s+"))))
        .containsExactly(List.of("3", "kraken", "-", "-", "-"));
    assertThat(cli.run("markets", "list", "--target", target, "--exchange-id", "3", "--json").out())
        .isEqualTo("{\"exchange_id\":3,\"exchange_code\":\"kraken\"}\n");
  }

  @Test
  void targetComesFromTheEnvironmentWhenNoFlagIsGiven() {
    Cli.Result result = new Cli().env("TICKVAULT_TARGET", target)
        .run("markets", "put-exchange", "--exchange-id", "2", "--code", "upbit");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("created\n");
  }

  @Test
  void aRequestTheServerRefuses_exits5WithTheServersReason() {
    Cli.Result result = new Cli().run("markets", "put-pair", "--target", target,
        "--exchange-id", "9", "--pair-no", "1", "--base", "BTC", "--quote", "USDT");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.REFUSED).isEqualTo(5);
    assertThat(result.err()).contains("INVALID_ARGUMENT: exchange_id: exchange 9 is not registered");
  }

  @Test
  void health_printsServingAndExits0() {
    Cli.Result result = new Cli().run("health", "--target", target);

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("SERVING\n");
    assertThat(new Cli().run("health", "--target", target, "--service", "tickvault.v1.MarketService").out())
        .isEqualTo("SERVING\n");
  }

  @Test
  void healthOfAnUnknownService_exits3() {
    Cli.Result result = new Cli().run("health", "--target", target, "--service", "no.such.Service");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(result.out()).isEqualTo("SERVICE_UNKNOWN\n");
  }

  @Test
  void noServerAtTheTarget_exits3SayingUnavailable() {
    int nobody = Ports.free();

    Cli.Result result = new Cli().run("health", "--target", "127.0.0.1:" + nobody, "--deadline", "5");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE).isEqualTo(3);
    assertThat(result.err()).isEqualTo("tickvault: nothing listens at 127.0.0.1:" + nobody
        + " (connection refused): is the server running, and is that its gRPC port?\n");
  }

  @Test
  void badArguments_exit2WithUsage() {
    Cli.Result result = new Cli().run("markets", "put-exchange", "--target", target, "--exchange-id", "one");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE).isEqualTo(2);
    assertThat(result.err()).contains("--exchange-id").contains("Usage:");
  }
}
