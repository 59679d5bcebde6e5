package io.tickvault.client.cli;

import com.google.protobuf.MessageOrBuilder;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.GetMarketStateResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.client.ResumingReader;
import io.tickvault.client.TickvaultClient;
import java.io.BufferedWriter;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tickvault read …}: what was stored, back out of QueryService, as CSV or JSON Lines. */
@Command(name = "read", mixinStandardHelpOptions = true,
    description = "Read stored trades, order book snapshots, candles or a market's hot state back, as "
        + "CSV or JSON Lines (-o csv|jsonl), to standard output or a file (--out). Decimals come back as they were "
        + "stored. The CSV of 'read trades' is what 'ingest trades' reads, so a read can be ingested "
        + "again. Long reads resume by themselves when the stream breaks (UNAVAILABLE).",
    subcommands = {ReadCommand.Trades.class, ReadCommand.OrderBooks.class, ReadCommand.Book.class,
        ReadCommand.Candles.class, ReadCommand.State.class})
final class ReadCommand {
  /** What a read writes: CSV, or JSON Lines (-o json says the same: one JSON object per line). */
  enum Format { csv, jsonl }

  /** The market every read is about. */
  static final class Market {
    @Option(names = "--exchange-id", required = true, paramLabel = "N", description = "A registered exchange.")
    int exchangeId;

    @Option(names = "--pair-no", required = true, paramLabel = "N", description = "A registered currency pair of that exchange.")
    int pairNo;
  }

  /** Where the records go, and as what. */
  static final class Output {
    @Option(names = {"-o", "--output"}, paramLabel = "csv|jsonl", converter = OutputOptions.FormatConverter.class,
        description = "Output format: csv, or jsonl (json is the same: one JSON object per line); by default from "
            + "the --out file's extension (.csv, or .jsonl and .json), else CSV for trades and candles, JSON Lines "
            + "for the rest.")
    OutputOptions.Format format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write to this file (default, or -: standard output).")
    Path file;

    /** -o, else the --out file's extension, else CSV where the records may be written as CSV. */
    Format format(boolean csvAllowed) {
      Format chosen = format == null ? null : switch (format) {
        case csv -> Format.csv;
        case jsonl, json -> Format.jsonl;
        case text -> throw new IllegalArgumentException("-o/--output: 'read' writes csv or jsonl, not text");
      };
      if (chosen == null && file != null) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        chosen = name.endsWith(".csv") ? Format.csv : name.endsWith(".jsonl") || name.endsWith(".json") ? Format.jsonl : null;
      }
      if (chosen == Format.csv && !csvAllowed) {
        throw new IllegalArgumentException("-o csv: this read is written as JSON Lines only (its nested "
            + "levels do not fit CSV's one row): use -o jsonl or a .jsonl file");
      }
      return chosen != null ? chosen : csvAllowed ? Format.csv : Format.jsonl;
    }

    /** A buffered writer to the file, or to the command's output (left open: it is not ours). */
    Writer open(CommandSpec spec) throws IOException {
      if (file == null || file.toString().equals("-")) {
        PrintWriter stdout = spec.commandLine().getOut();
        return new BufferedWriter(new FilterWriter(stdout) {
          @Override
          public void close() {
            stdout.flush();
          }
        }, 1 << 16);
      }
      return Files.newBufferedWriter(file);
    }
  }

  /** A read of one market: what every read command has. */
  abstract static class MarketRead implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    Market market;

    @Mixin
    Output output;
  }

  /** A range read through a resuming stream, with progress on standard error. */
  abstract static class RangeRead<R extends MessageOrBuilder> extends MarketRead {
    @Mixin
    TimeRange range;

    @Option(names = "--require-complete",
        description = "Read only when the workers' coverage claims cover all of [--from, --to) (--to: now by default): "
            + "otherwise list the holes on standard error, read nothing and exit 7.")
    boolean requireComplete;

    @Option(names = "--page-size", paramLabel = "N",
        description = "Records per page of the stream, up to the server's maximum; 0 lets the server choose "
            + "(default: 10000 for trades, the server's default for order books).")
    int pageSize;

    private final CliContext context;

    RangeRead(CliContext context, int defaultPageSize) {
      this.context = context;
      this.pageSize = defaultPageSize;
    }

    /** Plural noun for the records ("trades"). */
    abstract String unit();

    /** The records' CSV, or null when they are written as JSON Lines only. */
    abstract RecordLines.Csv<R> csv();

    abstract ResumingReader<R> open(TickvaultClient client);

    /** The time the range is about (trade time, server time), for the progress line. */
    abstract long timeOf(R record);

    /** The time of the market's last record of this kind, 0 when it has none. */
    abstract long lastTime(GetMarketStateResponse state);

    /** The coverage channel of these records. */
    abstract Channel channel();

    /**
     * For --require-complete: null when the range is complete (a read without --to then ends at
     * the now it was checked to), else the holes said on standard error and the exit code.
     */
    private Integer refuseIncomplete(TickvaultClient client, PrintWriter err) {
      if (range.from == 0) {
        throw new IllegalArgumentException("--require-complete: give --from (the range whose coverage is checked)");
      }
      if (range.to == 0) {
        range.to = context.clock().millis();
      }
      GetCoverageResponse coverage = client.coverage().getCoverage(market.exchangeId, market.pairNo, channel(), range.from, range.to);
      if (coverage.getComplete()) {
        return null;
      }
      err.println("not read: the range has holes (--require-complete)");
      CoverageCommand.Get.print(err, coverage);
      return ExitCodes.INCOMPLETE;
    }

    /**
     * Where the progress bar ends: --to, or else just after the market's last record as
     * GetMarketState tells (or now, when it cannot tell: the bar is then only a guess).
     */
    private long progressEnd(TickvaultClient client) {
      if (range.to > 0) {
        return range.to;
      }
      try {
        long last = lastTime(client.getMarketState(market.exchangeId, market.pairNo));
        return last > 0 ? last + 1 : context.clock().millis();
      } catch (StatusRuntimeException e) {
        return context.clock().millis(); // the read itself says what is wrong, if anything
      }
    }

    @Override
    public Integer call() throws Exception {
      Format format = output.format(csv() != null);
      PrintWriter err = spec.commandLine().getErr();
      try (TickvaultClient client = connection.connect()) {
        Integer refused = requireComplete ? refuseIncomplete(client, err) : null;
        if (refused != null) {
          return refused; // before --out is opened: an incomplete range leaves no file behind
        }
        read(client, format, err);
      }
      return ExitCodes.OK;
    }

    private void read(TickvaultClient client, Format format, PrintWriter err) throws IOException {
      Progress progress;
      long rows = 0;
      try (ResumingReader<R> records = open(client);
           Writer out = output.open(spec)) {
        long end = progressEnd(client);
        progress = new Progress(err, context.terminal(), context.clock(), unit(), "read", Math.max(1, end - range.from));
        RecordLines<R> lines = RecordLines.start(format, csv(), out);
        long origin = range.from;
        while (records.hasNext()) {
          R record = records.next();
          lines.write(record);
          if (rows++ == 0 && range.from == 0) {
            origin = timeOf(record); // from the first record: the bar starts where the data does
            progress.total(Math.max(1, end - origin));
          }
          progress.update(rows, timeOf(record) - origin);
        }
        if (records.retainedFromMs() > 0) { // the server removed the part of the range before it (docs/retention.md)
          err.println("note: the records before " + java.time.Instant.ofEpochMilli(records.retainedFromMs())
              + " were removed by retention; what is left was read");
        }
      }
      progress.finish(rows);
    }
  }

  @Command(name = "trades", mixinStandardHelpOptions = true,
      description = "Trades of a market in [--from, --to), oldest first by (trade_time_ms, trade_id), over "
          + "ReadTrades. CSV has the header and columns 'ingest trades' reads: "
          + CsvLines.TRADE_HEADER + ".")
  static final class Trades extends RangeRead<Trade> {
    Trades(CliContext context) {
      // The largest page: fewer round trips (bench read: 0.76 of COPY TO at 10,000, 0.57 at the
      // server's 1,000), about a MiB a page, at most three pages held by the reader.
      super(context, 10_000);
    }

    @Override
    String unit() {
      return "trades";
    }

    @Override
    RecordLines.Csv<Trade> csv() {
      return RecordLines.TRADES;
    }

    @Override
    ResumingReader<Trade> open(TickvaultClient client) {
      return client.readTrades(ReadTradesRequest.newBuilder()
          .setExchangeId(market.exchangeId).setCurrencyPairNo(market.pairNo)
          .setStartTimeMs(range.from).setEndTimeMs(range.to).setPageSize(pageSize).build());
    }

    @Override
    long timeOf(Trade trade) {
      return trade.getTradeTimeMs();
    }

    @Override
    long lastTime(GetMarketStateResponse state) {
      return state.hasLastTrade() ? state.getLastTrade().getTradeTimeMs() : 0;
    }

    @Override
    Channel channel() {
      return Channel.CHANNEL_TRADES;
    }
  }

  @Command(name = "orderbooks", mixinStandardHelpOptions = true,
      description = "Order book snapshots of a market with server_time_ms in [--from, --to), oldest first, "
          + "over ReadOrderBooks, as JSON Lines (one OrderBookSnapshot a line, as 'ingest orderbooks' reads).")
  static final class OrderBooks extends RangeRead<OrderBookSnapshot> {
    @Option(names = "--depth", paramLabel = "N", defaultValue = "0", description = "Levels a side, best first; 0 (default): all.")
    int depth;

    OrderBooks(CliContext context) {
      super(context, 0);
    }

    @Override
    String unit() {
      return "snapshots";
    }

    @Override
    RecordLines.Csv<OrderBookSnapshot> csv() {
      return null; // order books are written as JSON Lines
    }

    @Override
    ResumingReader<OrderBookSnapshot> open(TickvaultClient client) {
      return client.readOrderBooks(ReadOrderBooksRequest.newBuilder()
          .setExchangeId(market.exchangeId).setCurrencyPairNo(market.pairNo)
          .setStartTimeMs(range.from).setEndTimeMs(range.to).setDepth(depth).setPageSize(pageSize).build());
    }

    @Override
    long timeOf(OrderBookSnapshot snapshot) {
      return snapshot.getServerTimeMs();
    }

    @Override
    long lastTime(GetMarketStateResponse state) {
      return state.hasLastOrderBook() ? state.getLastOrderBook().getServerTimeMs() : 0;
    }

    @Override
    Channel channel() {
      return Channel.CHANNEL_ORDER_BOOKS;
    }
  }

  /** A read answered in one unary call: the answer is written as it comes. */
  abstract static class OneCall extends MarketRead {
    /** The lines to write, header included. */
    abstract List<String> lines(TickvaultClient client, Format format);

    abstract boolean csvAllowed();

    @Override
    public Integer call() throws Exception {
      Format format = output.format(csvAllowed());
      try (TickvaultClient client = connection.connect()) {
        List<String> lines = lines(client, format);
        try (Writer out = output.open(spec)) {
          for (String line : lines) {
            out.write(line);
            out.write('\n');
          }
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "candles", mixinStandardHelpOptions = true,
      description = "OHLCV candles of a market's trades in [--from, --to), buckets of --interval aligned to the "
          + "epoch, over GetCandles; buckets without trades are left out. CSV columns: "
          + CsvLines.CANDLE_HEADER + ".")
  static final class Candles extends OneCall {
    @Option(names = "--from", required = true, paramLabel = "TIME", converter = TimeArguments.EpochMillis.class,
        description = "First trade time included: epoch milliseconds or ISO-8601 (2026-11-26T10:00:00Z, 2026-11-26).")
    long from;

    @Option(names = "--to", paramLabel = "TIME", converter = TimeArguments.EpochMillis.class,
        description = "First trade time excluded; default: now.")
    Long to;

    @Option(names = "--interval", required = true, paramLabel = "LENGTH", converter = TimeArguments.Millis.class,
        description = "Length of a candle: 1m, 15m, 1h, 1d, 1w, 30s, or milliseconds.")
    long interval;

    private final CliContext context;

    Candles(CliContext context) {
      this.context = context;
    }

    @Override
    boolean csvAllowed() {
      return true;
    }

    @Override
    List<String> lines(TickvaultClient client, Format format) {
      long end = to != null ? to : context.clock().millis();
      List<Candle> candles = client.getCandles(market.exchangeId, market.pairNo, from, end, interval);
      if (format == Format.jsonl) {
        return candles.stream().map(Json::of).toList();
      }
      List<String> lines = new java.util.ArrayList<>(candles.size() + 1);
      lines.add(CsvLines.CANDLE_HEADER);
      StringBuilder line = new StringBuilder();
      for (Candle candle : candles) {
        line.setLength(0);
        CsvLines.candle(line, candle);
        lines.add(line.toString());
      }
      return lines;
    }
  }

  @Command(name = "book", mixinStandardHelpOptions = true,
      description = "The order book snapshot of a market in force at --at (default: the latest), over "
          + "GetOrderBook, as one JSON line. Exit 5 when the market has none at or before then.")
  static final class Book extends OneCall {
    @Option(names = "--at", paramLabel = "TIME", defaultValue = "0", converter = TimeArguments.EpochMillis.class,
        description = "Epoch milliseconds or ISO-8601; default: the latest.")
    long at;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "0", description = "Levels a side, best first; 0 (default): all.")
    int depth;

    @Override
    boolean csvAllowed() {
      return false;
    }

    @Override
    List<String> lines(TickvaultClient client, Format format) {
      return List.of(Json.of(client.getOrderBook(market.exchangeId, market.pairNo, at, depth)));
    }
  }

  @Command(name = "state", mixinStandardHelpOptions = true,
      description = "The hot state of a market over GetMarketState: its last trade and last order book, as "
          + "one JSON line ({} when it has neither). A worker restarting reads where its feed stopped here.")
  static final class State extends OneCall {
    @Override
    boolean csvAllowed() {
      return false;
    }

    @Override
    List<String> lines(TickvaultClient client, Format format) {
      return List.of(Json.of(client.getMarketState(market.exchangeId, market.pairNo)));
    }
  }
}
