package io.tickvault.client.cli;

import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.client.ResumingReader;
import io.tickvault.client.TickvaultClient;
import java.io.Writer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tickvault subscribe …}: market data as it is committed, over QueryService's subscriptions. */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
    description = "Print trades as they are committed, through any replica, after the stored ones from --from, each "
        + "once; the stream resumes by itself when it breaks (docs/subscribing.md). Runs until stopped (Ctrl-C) or "
        + "--max trades.",
    subcommands = {SubscribeCommand.Trades.class})
final class SubscribeCommand {
  @Command(name = "trades", mixinStandardHelpOptions = true,
      description = "Trades of one market over SubscribeTrades, a line each as they land: CSV with the header and "
          + "columns 'ingest trades' reads (" + CsvLines.TRADE_HEADER + "), or JSON Lines.")
  static final class Trades implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    ReadCommand.Market market;

    @Mixin
    ReadCommand.Output output;

    @Option(names = "--from", paramLabel = "TIME", defaultValue = "0", converter = TimeArguments.EpochMillis.class,
        description = "First print the stored trades from this time (epoch milliseconds or ISO-8601, as 'read'); "
            + "default: only the trades committed from now on.")
    long from;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0",
        description = "Stop after N trades (default 0: never).")
    long max;

    @Override
    public Integer call() throws Exception {
      if (max < 0) {
        throw new IllegalArgumentException("--max: must not be negative, got " + max);
      }
      ReadCommand.Format format = output.format(true);
      SubscribeTradesRequest request = SubscribeTradesRequest.newBuilder()
          .addMarkets(MarketRef.newBuilder().setExchangeId(market.exchangeId).setCurrencyPairNo(market.pairNo))
          .setStartTimeMs(from)
          .build();
      try (TickvaultClient client = connection.connect();
           ResumingReader<Trade> trades = client.subscribeTrades(request);
           Writer out = output.open(spec)) {
        if (format == ReadCommand.Format.csv) {
          out.write(CsvLines.TRADE_HEADER);
          out.write('\n');
          out.flush();
        }
        StringBuilder line = new StringBuilder(256);
        long printed = 0;
        while ((max == 0 || printed < max) && trades.hasNext()) {
          Trade trade = trades.next();
          line.setLength(0);
          if (format == ReadCommand.Format.csv) {
            CsvLines.trade(line, trade);
          } else {
            line.append(Json.of(trade));
          }
          line.append('\n');
          out.append(line);
          printed++;
          out.flush(); // as they land: a reader of the pipe sees each trade at once
        }
      }
      return ExitCodes.OK;
    }
  }
}
