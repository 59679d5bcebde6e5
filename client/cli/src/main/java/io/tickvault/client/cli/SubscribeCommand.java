package io.tickvault.client.cli;

import com.google.protobuf.MessageOrBuilder;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
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
    description = "Print trades or order book snapshots as they are committed, through any replica, after the stored "
        + "ones from --from, each once; the stream resumes by itself when it breaks (docs/subscribing.md). Runs until "
        + "stopped (Ctrl-C) or --max records.",
    subcommands = {SubscribeCommand.Trades.class, SubscribeCommand.OrderBooks.class})
final class SubscribeCommand {
  /** What both subscriptions take and do: one market, a start time, a line per record as it lands. */
  abstract static class Subscription<R extends MessageOrBuilder> implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    ReadCommand.Market market;

    @Mixin
    ReadCommand.Output output;

    @Option(names = "--from", paramLabel = "TIME", defaultValue = "0", converter = TimeArguments.EpochMillis.class,
        description = "First print the stored records from this time (epoch milliseconds or ISO-8601, as 'read'); "
            + "default: only the records committed from now on.")
    long from;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0",
        description = "Stop after N records (default 0: never).")
    long max;

    /** The records' CSV, or null when they print as JSON Lines only. */
    abstract RecordLines.Csv<R> csv();

    abstract ResumingReader<R> open(TickvaultClient client, MarketRef market);

    @Override
    public Integer call() throws Exception {
      if (max < 0) {
        throw new IllegalArgumentException("--max: must not be negative, got " + max);
      }
      ReadCommand.Format format = output.format(csv() != null);
      MarketRef ref = MarketRef.newBuilder().setExchangeId(market.exchangeId).setCurrencyPairNo(market.pairNo).build();
      try (TickvaultClient client = connection.connect();
           ResumingReader<R> records = open(client, ref);
           Writer out = output.open(spec)) {
        RecordLines<R> lines = RecordLines.start(format, csv(), out);
        out.flush();
        long printed = 0;
        while ((max == 0 || printed < max) && records.hasNext()) {
          lines.write(records.next());
          printed++;
          out.flush(); // as they land: a reader of the pipe sees each record at once
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "trades", mixinStandardHelpOptions = true,
      description = "Trades of one market over SubscribeTrades, a line each as they land: CSV with the header and "
          + "columns 'ingest trades' reads (" + CsvLines.TRADE_HEADER + "), or JSON Lines.")
  static final class Trades extends Subscription<Trade> {
    @Override
    RecordLines.Csv<Trade> csv() {
      return RecordLines.TRADES;
    }

    @Override
    ResumingReader<Trade> open(TickvaultClient client, MarketRef ref) {
      return client.subscribeTrades(SubscribeTradesRequest.newBuilder().addMarkets(ref).setStartTimeMs(from).build());
    }
  }

  @Command(name = "orderbooks", mixinStandardHelpOptions = true,
      description = "Order book snapshots of one market over SubscribeOrderBooks, a line each as they land, as JSON "
          + "Lines (one OrderBookSnapshot a line, as 'ingest orderbooks' reads).")
  static final class OrderBooks extends Subscription<OrderBookSnapshot> {
    @Option(names = "--depth", paramLabel = "N", defaultValue = "0",
        description = "Levels a side, best first, 1 to 32768; 0 (default): all.")
    int depth;

    @Override
    RecordLines.Csv<OrderBookSnapshot> csv() {
      return null; // order books print as JSON Lines only
    }

    @Override
    ResumingReader<OrderBookSnapshot> open(TickvaultClient client, MarketRef ref) {
      return client.subscribeOrderBooks(SubscribeOrderBooksRequest.newBuilder().addMarkets(ref).setStartTimeMs(from)
          .setDepth(depth).build());
    }
  }
}
