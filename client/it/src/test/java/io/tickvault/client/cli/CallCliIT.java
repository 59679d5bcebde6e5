package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code tickvault call} and {@code describe} from the contracts compiled into the tool, the
 * config file and its profiles, {@code --output json}, completion and the misspelled-variable
 * warning: in-JVM against a real server and PostgreSQL.
 */
class CallCliIT extends CliAgainstServer {
  @Test
  void call_unary_printsTheResponseAsJson() {
    Cli.Result put = cli.run("call", "tickvault.v1.MarketService/PutExchange", "{\"exchange_id\":7,\"code\":\"kraken\"}");
    Cli.Result pair = cli.run("call", "MarketService/PutCurrencyPair",
        "{\"exchangeId\":7,\"currencyPairNo\":1,\"baseCurrency\":\"BTC\",\"quoteCurrency\":\"EUR\"}");
    Cli.Result list = cli.run("call", "MarketService.ListCurrencyPairs");

    assertThat(put.exitCode()).as(put.toString()).isZero();
    assertThat(put.out()).isEqualTo("{\"created\":true}\n");
    assertThat(pair.out()).isEqualTo("{\"created\":true}\n");
    assertThat(list.out()).isEqualTo("{\"currency_pairs\":[{\"exchange_id\":7,\"exchange_code\":\"kraken\","
        + "\"currency_pair_no\":1,\"base_currency\":\"BTC\",\"quote_currency\":\"EUR\"}],"
        + "\"exchanges\":[{\"exchange_id\":7,\"code\":\"kraken\"}]}\n");
  }

  @Test
  void call_bidiStreaming_fromStandardInput_oneAckPerRequest() {
    cli.registerBinanceBtcUsdt();
    String trade = "{\"exchange_id\":1,\"currency_pair_no\":1,\"trade_id\":\"%s\",\"price\":\"1\",\"quantity\":\"1\","
        + "\"trade_time_ms\":1764115200000}";

    Cli.Result result = cli.stdin("{\"trades\":[" + trade.formatted("c-1") + "]}\n{\"trades\":["
            + trade.formatted("c-1") + "," + trade.formatted("c-2") + "]}\n")
        .run("call", "IngestService/StreamTrades", "-");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out().lines()).containsExactly(
        "{\"received\":\"1\",\"inserted\":\"1\"}",
        "{\"request_index\":\"1\",\"received\":\"2\",\"inserted\":\"1\",\"duplicates\":\"1\"}");
  }

  @Test
  void call_errors_sayWhatIsWrong() {
    Cli.Result noMethod = cli.run("call", "MarketService/Nope");
    Cli.Result badJson = cli.run("call", "MarketService/PutExchange", "{\"exchange\":1}");
    Cli.Result refused = cli.run("call", "MarketService/PutExchange", "{\"exchange_id\":0,\"code\":\"x\"}");

    assertThat(noMethod.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noMethod.err()).isEqualTo("tickvault: no method 'Nope' in tickvault.v1.MarketService; its methods are "
        + "PutExchange, PutCurrencyPair, ListCurrencyPairs\n");
    assertThat(badJson.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badJson.err()).startsWith("tickvault: request 1 is not a JSON tickvault.v1.PutExchangeRequest: ")
        .contains("exchange");
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.REFUSED);
    assertThat(refused.err()).startsWith("tickvault: INVALID_ARGUMENT: ");
  }

  @Test
  void describe_listsServicesAndShowsMessagesWithTheirComments() {
    Cli.Result all = cli.run("describe");
    Cli.Result service = cli.run("describe", "IngestService");
    Cli.Result message = cli.run("describe", "tickvault.v1.Trade");
    Cli.Result json = cli.run("describe", "TradeSide", "--output", "json");

    assertThat(all.exitCode()).isZero();
    assertThat(all.out()).contains("service tickvault.v1.MarketService\n")
        .contains("  rpc StreamTrades(stream tickvault.v1.StreamTradesRequest) returns (stream tickvault.v1.IngestTradesAck)\n")
        .contains("service grpc.health.v1.Health\n");
    assertThat(service.out()).startsWith("service tickvault.v1.IngestService\n  // ");
    assertThat(message.out()).startsWith("message tickvault.v1.Trade\n").contains("  string price = ")
        .contains("  tickvault.v1.TradeSide taker_side = ");
    assertThat(json.out()).startsWith("{\"name\":\"TradeSide\",\"value\":[{\"name\":\"TRADE_SIDE_UNSPECIFIED\"");
  }

  @Test
  void configFile_profilesFillWhatFlagsAndVariablesLeaveOpen() throws Exception {
    Path config = Files.createDirectories(dir.resolve("tickvault")).resolve("config");
    Files.write(config, List.of(
        "# defaults",
        "target = 127.0.0.1:1",
        "",
        "[local]",
        "target = 127.0.0.1:" + server.port()));
    Cli withConfig = new Cli().env("XDG_CONFIG_HOME", dir.toString());

    Cli.Result defaultProfile = withConfig.run("health");
    Cli.Result local = withConfig.run("health", "--profile", "local");
    Cli.Result fromVariable = new Cli().env("XDG_CONFIG_HOME", dir.toString()).env("TICKVAULT_PROFILE", "local").run("health");
    Cli.Result unknown = withConfig.run("health", "--profile", "prod");

    assertThat(defaultProfile.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(defaultProfile.err()).contains("nothing listens at 127.0.0.1:1");
    assertThat(local.out()).isEqualTo("SERVING\n");
    assertThat(fromVariable.out()).isEqualTo("SERVING\n");
    assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).isEqualTo("tickvault: --profile prod: no [prod] section in " + config + "\n");
  }

  @Test
  void outputJson_forEveryCommandThatPrintsAResult() {
    assertThat(cli.run("health", "-o", "json").out()).isEqualTo("{\"status\":\"SERVING\"}\n");
    assertThat(cli.run("markets", "put-exchange", "--exchange-id", "3", "--code", "okx", "--output", "json").out())
        .isEqualTo("{\"created\":true}\n");
    assertThat(cli.run("markets", "list", "--output", "json").out()).isEqualTo("{\"exchange_id\":3,\"exchange_code\":\"okx\"}\n");
    assertThat(cli.run("keys", "delete", "--user-id", "u", "--exchange-id", "3", "--access-key", "a", "--output", "json").out())
        .isEqualTo("{\"deleted\":false}\n");
  }

  @Test
  void outputIsAFormatOnEveryCommand_readStateToo_andAFileIsNamedByOut() throws Exception {
    // A market no other test uses: the market state lives in the tests' shared Redis, across databases.
    Cli.ok(cli.run("markets", "put-exchange", "--exchange-id", "923", "--code", "call-cli-state"));
    Cli.ok(cli.run("markets", "put-pair", "--exchange-id", "923", "--pair-no", "1", "--base", "BTC", "--quote", "USDT"));
    Path file = dir.resolve("state.json");

    Cli.Result state = cli.run("read", "state", "--exchange-id", "923", "--pair-no", "1", "-o", "json");
    Cli.Result toFile = cli.run("read", "state", "--exchange-id", "923", "--pair-no", "1", "--out", file.toString());
    Cli.Result csvList = cli.run("markets", "list", "-o", "csv");
    Cli.Result fileAfterO = cli.run("read", "trades", "--exchange-id", "923", "--pair-no", "1", "-o", "t.csv");

    assertThat(state.exitCode()).as(state.toString()).isZero();
    assertThat(state.out()).isEqualTo("{}\n");
    assertThat(toFile.out()).isEmpty();
    assertThat(Files.readString(file)).isEqualTo("{}\n");
    assertThat(csvList.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(csvList.err()).contains("-o/--output: 'tickvault markets list' prints text or json, not csv");
    assertThat(fileAfterO.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(fileAfterO.err()).contains("'t.csv' is not a format").contains("to write to a file use --out t.csv");
  }

  @Test
  void aMisspelledVariable_isWarnedAbout() {
    Cli.Result result = cli.env("TICKVAULT_TOKNE", "secret").run("health");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEqualTo("warning: TICKVAULT_TOKNE is not read by tickvault; did you mean TICKVAULT_TOKEN?\n");
  }

  @Test
  void completion_printsABashScriptForTheWholeTree() {
    Cli.Result result = cli.run("completion");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("complete -F _complete_tickvault").contains("ingest").contains("describe");
  }
}
