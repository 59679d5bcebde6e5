package io.tickvault.client.cli;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.Trade;
import io.tickvault.client.BatchingStreamWriter;
import io.tickvault.client.OrderBookStreamWriter;
import io.tickvault.client.TickvaultClient;
import io.tickvault.client.TradeStreamWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tickvault ingest …}: streams a file of market data to the server, with progress. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Stream a file of trades (CSV or JSON Lines) or order book snapshots (JSON Lines) "
        + "to the server in batches, then print how many were inserted, already stored "
        + "(duplicates) and rejected, with each rejection. Exit 1 when any record was rejected. "
        + "Replaying a file is safe: stored records count as duplicates.",
    subcommands = {IngestCommand.Trades.class, IngestCommand.OrderBooks.class})
final class IngestCommand {
  /** The server's counts, whatever the record kind. */
  record Summary(long received, long inserted, long duplicates, long rejected, List<RejectedRecord> rejections) {}

  /** A rejection, by the line of the file it came from. */
  record LineRejection(long line, String key, String field, String reason) {}

  enum Format { csv, jsonl }

  /** A stream writer as the command drives it, whatever the record kind. */
  interface Sender<R> extends AutoCloseable {
    void write(R record) throws InterruptedException;

    /** Sends what is left and returns the server's counts for every record written. */
    Summary finish() throws InterruptedException;

    @Override
    void close();
  }

  /** The part common to every record kind: read, send in batches, show progress, summarize. */
  abstract static class Run<R extends com.google.protobuf.Message> implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "FILE", description = "The file to send.")
    Path file;

    @Option(names = "--format", paramLabel = "csv|jsonl",
        description = "File format; by default from the extension (.csv is CSV, anything else JSON Lines).")
    Format format;

    @Option(names = "--batch-size", paramLabel = "N", description = "Records per request, 1 to 10000 (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--show-rejections", paramLabel = "N", defaultValue = "100",
        description = "Print at most this many rejections (default ${DEFAULT-VALUE}); the counts are always exact.")
    int showRejections;

    private final CliContext context;

    Run(CliContext context, int defaultBatchSize) {
      this.context = context;
      this.batchSize = defaultBatchSize;
    }

    /** Plural noun for the records ("trades"). */
    abstract String unit();

    abstract RecordSource<R> open(Path file, Format format);

    abstract Sender<R> sender(Channel channel, int batchSize);

    @Override
    public Integer call() throws Exception {
      if (batchSize < 1 || batchSize > 10_000) {
        throw new IllegalArgumentException("--batch-size: must be 1 to 10000, got " + batchSize);
      }
      Format chosen = format != null ? format
          : file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? Format.csv : Format.jsonl;
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      List<LineRejection> rejections = new ArrayList<>();
      long[] lineOfRecord = new long[1024]; // the file line of each record sent, by stream index
      long sent = 0;
      Summary summary;
      try (RecordSource<R> source = open(file, chosen);
           TickvaultClient client = connection.connect();
           Sender<R> writer = sender(client.channel(), batchSize)) {
        Progress progress = new Progress(err, context.terminal(), context.clock(), unit(), source.totalBytes());
        for (RecordSource.Line<R> line = source.next(); line != null; line = source.next()) {
          if (line.record() == null) {
            rejections.add(new LineRejection(line.lineNumber(), line.key(), line.field(), line.reason()));
            continue;
          }
          if (sent == lineOfRecord.length) {
            lineOfRecord = Arrays.copyOf(lineOfRecord, lineOfRecord.length * 2);
          }
          lineOfRecord[(int) sent++] = line.lineNumber();
          writer.write(line.record());
          progress.update(sent, source.bytesRead());
        }
        summary = writer.finish();
        progress.finish(sent);
      }
      long unreadable = rejections.size();
      for (RejectedRecord r : summary.rejections()) {
        long line = r.getIndex() >= 0 && r.getIndex() < sent ? lineOfRecord[(int) r.getIndex()] : -1;
        rejections.add(new LineRejection(line, r.getRecordKey(), r.getField(), r.getReason()));
      }
      rejections.sort(Comparator.comparingLong(LineRejection::line));

      long rejected = summary.rejected() + unreadable;
      out.printf(Locale.ROOT, "%s: read %d, inserted %d, duplicates %d, rejected %d%n",
          file.getFileName(), sent + unreadable, summary.inserted(), summary.duplicates(), rejected);
      if (summary.received() != sent) {
        out.printf(Locale.ROOT, "warning: sent %d %s but the server counted %d%n", sent, unit(), summary.received());
      }
      if (unreadable > 0) {
        out.printf(Locale.ROOT, "(%d of the rejected lines could not be read and were not sent)%n", unreadable);
      }
      rejections.stream().limit(showRejections).forEach(r -> out.println(describe(r)));
      if (rejections.size() > showRejections) {
        out.printf(Locale.ROOT, "... and %d more rejections%n", rejections.size() - showRejections);
      }
      return rejected > 0 ? ExitCodes.RECORDS_REJECTED : ExitCodes.OK;
    }

    private static String describe(LineRejection r) {
      StringBuilder text = new StringBuilder("rejected line ").append(r.line() < 0 ? "?" : String.valueOf(r.line()));
      if (r.key() != null && !r.key().isEmpty()) {
        text.append(" (").append(r.key()).append(')');
      }
      text.append(": ");
      if (r.field() != null && !r.field().isEmpty()) {
        text.append(r.field()).append(": ");
      }
      return text.append(r.reason()).toString();
    }
  }

  @Command(name = "trades", mixinStandardHelpOptions = true,
      description = "Streams trades from a CSV file (header line with the .proto field names: "
          + "exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms and optionally "
          + "taker_side (BUY, SELL or empty) and receive_time_ms) or a JSON Lines file (one Trade per "
          + "line). Uses StreamTrades: when the server or its database goes away, the trades not yet "
          + "acknowledged are sent again on a new call, for up to two minutes.")
  static final class Trades extends Run<Trade> {
    Trades(CliContext context) {
      super(context, 2_000);
    }

    @Override
    String unit() {
      return "trades";
    }

    @Override
    RecordSource<Trade> open(Path file, Format format) {
      return format == Format.csv ? new TradeCsvSource(file) : new JsonLinesSource<>(file, Trade::newBuilder);
    }

    @Override
    Sender<Trade> sender(Channel channel, int batchSize) {
      TradeStreamWriter writer = TradeStreamWriter.open(channel, TradeStreamWriter.Options.DEFAULT.withMaxBatchTrades(batchSize));
      return new Sender<>() {
        @Override
        public void write(Trade trade) throws InterruptedException {
          writer.write(trade);
        }

        @Override
        public Summary finish() throws InterruptedException {
          TradeStreamWriter.Summary r = writer.finish();
          return new Summary(r.written(), r.inserted(), r.duplicates(), r.rejected(), r.rejections());
        }

        @Override
        public void close() {
          writer.close();
        }
      };
    }
  }

  @Command(name = "orderbooks", mixinStandardHelpOptions = true,
      description = "Streams order book snapshots from a JSON Lines file: one OrderBookSnapshot per "
          + "line, e.g. {\"exchange_id\":1,\"currency_pair_no\":1,\"server_time_ms\":1700000000000,"
          + "\"sequence_id\":1,\"bids\":[{\"price\":\"100\",\"quantity\":\"2\"}],"
          + "\"asks\":[{\"price\":\"101\",\"quantity\":\"1\"}]}. CSV is not accepted for order books.")
  static final class OrderBooks extends Run<OrderBookSnapshot> {
    OrderBooks(CliContext context) {
      super(context, 100);
    }

    @Override
    String unit() {
      return "snapshots";
    }

    @Override
    RecordSource<OrderBookSnapshot> open(Path file, Format format) {
      if (format == Format.csv) {
        throw new IllegalArgumentException("order books are read from JSON Lines only (one snapshot per line, "
            + "bids and asks as arrays): use a .jsonl file or --format jsonl");
      }
      return new JsonLinesSource<>(file, OrderBookSnapshot::newBuilder);
    }

    @Override
    Sender<OrderBookSnapshot> sender(Channel channel, int batchSize) {
      OrderBookStreamWriter writer = OrderBookStreamWriter.open(
          channel, CallOptions.DEFAULT, batchSize, BatchingStreamWriter.DEFAULT_MAX_BATCH_BYTES);
      return new Sender<>() {
        @Override
        public void write(OrderBookSnapshot snapshot) throws InterruptedException {
          writer.write(snapshot);
        }

        @Override
        public Summary finish() throws InterruptedException {
          IngestOrderBooksResponse r = writer.finish();
          return new Summary(r.getReceived(), r.getInserted(), r.getDuplicates(), r.getRejected(), r.getRejectionsList());
        }

        @Override
        public void close() {
          writer.close();
        }
      };
    }
  }
}
