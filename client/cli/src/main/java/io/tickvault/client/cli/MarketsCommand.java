package io.tickvault.client.cli;

import io.tickvault.api.v1.CurrencyPair;
import io.tickvault.api.v1.Exchange;
import io.tickvault.api.v1.ListCurrencyPairsResponse;
import io.tickvault.client.TickvaultClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tickvault markets …}: the exchanges and currency pairs records may be stored for. */
@Command(name = "markets", mixinStandardHelpOptions = true,
    description = "Register exchanges and currency pairs (admin token), list the pairs.",
    subcommands = {
        MarketsCommand.PutExchange.class,
        MarketsCommand.PutPair.class,
        MarketsCommand.ListPairs.class})
final class MarketsCommand {
  @Command(name = "put-exchange", mixinStandardHelpOptions = true,
      description = "Registers an exchange, or renames it when the id exists. Prints 'created' or 'updated'.")
  static final class PutExchange extends ServerCommand {
    @Option(names = "--exchange-id", required = true, paramLabel = "N", description = "1 to 32767.")
    int exchangeId;

    @Option(names = "--code", required = true, paramLabel = "CODE", description = "Short unique name: binance, upbit, ...")
    String code;

    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        return printOutcome("created", client.putExchange(exchangeId, code), "updated");
      }
    }
  }

  @Command(name = "put-pair", mixinStandardHelpOptions = true,
      description = "Registers a currency pair of a registered exchange. Prints 'created' or 'updated'.")
  static final class PutPair extends ServerCommand {
    @Option(names = "--exchange-id", required = true, paramLabel = "N", description = "A registered exchange.")
    int exchangeId;

    @Option(names = "--pair-no", required = true, paramLabel = "N", description = "The pair's number within the exchange, 1 or more.")
    int pairNo;

    @Option(names = "--base", required = true, paramLabel = "SYMBOL", description = "Base currency: BTC.")
    String base;

    @Option(names = "--quote", required = true, paramLabel = "SYMBOL", description = "Quote currency: USDT.")
    String quote;

    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        return printOutcome("created", client.putCurrencyPair(exchangeId, pairNo, base, quote), "updated");
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists the registered currency pairs, and the exchanges that have none yet, "
          + "as a table, or with -o json one JSON object per pair (an exchange without pairs is an object with "
          + "only exchange_id and exchange_code).")
  static final class ListPairs extends ServerCommand {
    @Option(names = "--exchange-id", paramLabel = "N", defaultValue = "0", description = "Only this exchange's pairs.")
    int exchangeId;

    // Before -o json said the same; kept for the scripts that use it.
    @Option(names = "--json", hidden = true, description = "As -o json.")
    boolean json;

    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        List<CurrencyPair> pairs = withExchangesWithoutPairs(client.listMarkets(exchangeId));
        PrintWriter out = out();
        if (json || output.json()) {
          pairs.forEach(pair -> out.println(Json.of(pair)));
          return ExitCodes.OK;
        }
        out.printf("%-11s %-16s %-7s %-8s %s%n", "exchange_id", "exchange_code", "pair_no", "base", "quote");
        for (CurrencyPair p : pairs) {
          if (p.getCurrencyPairNo() == 0) {
            out.printf("%-11d %-16s %-7s %-8s %s%n", p.getExchangeId(), p.getExchangeCode(), "-", "-", "-");
          } else {
            out.printf("%-11d %-16s %-7d %-8s %s%n", p.getExchangeId(), p.getExchangeCode(),
                p.getCurrencyPairNo(), p.getBaseCurrency(), p.getQuoteCurrency());
          }
        }
        return ExitCodes.OK;
      }
    }

    /**
     * The pairs, with each exchange that has none yet as a pair of number 0 (no pair has it) in
     * its place in exchange_id order, so that a freshly registered exchange shows.
     */
    static List<CurrencyPair> withExchangesWithoutPairs(ListCurrencyPairsResponse markets) {
      Set<Integer> withPairs = markets.getCurrencyPairsList().stream()
          .map(CurrencyPair::getExchangeId).collect(Collectors.toSet());
      List<CurrencyPair> rows = new ArrayList<>(markets.getCurrencyPairsList());
      for (Exchange exchange : markets.getExchangesList()) {
        if (!withPairs.contains(exchange.getExchangeId())) {
          rows.add(CurrencyPair.newBuilder()
              .setExchangeId(exchange.getExchangeId()).setExchangeCode(exchange.getCode()).build());
        }
      }
      rows.sort(Comparator.comparingInt(CurrencyPair::getExchangeId)
          .thenComparingInt(CurrencyPair::getCurrencyPairNo));
      return rows;
    }
  }
}
