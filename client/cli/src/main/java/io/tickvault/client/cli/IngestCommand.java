package io.tickvault.client.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.grpc.Channel;
import io.tickvault.api.v1.CoverageClaim;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.api.v1.Trade;
import io.tickvault.client.ReconnectListener;
import io.tickvault.client.TickvaultClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tickvault ingest …}: streams a file of market data to the server, with progress. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Stream a file of trades (CSV or JSON Lines) or order book snapshots (JSON Lines) "
        + "to the server in batches, then print how many were inserted, already stored "
        + "(duplicates) and rejected, with each rejection. Exit 1 when any record was rejected, "
        + "8 when the file cannot be read to its end (a truncated gzip: what came before is committed, and counted), "
        + "130 when interrupted (Ctrl-C: what was committed is printed). A line longer than 64 KiB is rejected "
        + "on its own, unread. "
        + "Replaying a file is safe: stored records count as duplicates. --covers FROM..UNTIL claims the "
        + "file's range for each market in it once every record is committed.",
    subcommands = {IngestCommand.Trades.class, IngestCommand.OrderBooks.class})
final class IngestCommand {
  /** The server's counts, whatever the record kind, and the coverage claims it stored or refused. */
  record Summary(long received, long inserted, long duplicates, long rejected, List<RejectedRecord> rejections,
                 int reconnects, long coverageStored, List<RejectedRecord> coverageRejections) {}

  enum Format { csv, jsonl }

  /** A stream writer as the command drives it, whatever the record kind. */
  interface Sender<R> extends AutoCloseable {
    void write(R record) throws InterruptedException;

    /**
     * Sends what is left, then {@code claims} so that the server stores them once every record
     * written is committed, and returns the server's counts for every record written.
     */
    Summary finish(List<CoverageClaim> claims) throws InterruptedException;

    /**
     * After Ctrl-C: sends nothing more and waits up to {@code timeout} for the acknowledgements of
     * what was sent; true when every record sent is acknowledged, so the counts below are exact.
     */
    boolean stop(Duration timeout) throws InterruptedException;

    /** Records written whose fate is known to the server (committed or rejected), in all. */
    long acknowledged();

    /**
     * The longest run of records from the first written that are all acknowledged: what
     * {@code --skip} resumes after. Less than {@link #acknowledged()} when several calls share the
     * records and one is behind.
     */
    default long acknowledgedPrefix() {
      return acknowledged();
    }

    @Override
    void close();
  }

  /** The part common to every record kind: read, send in batches, show progress, summarize. */
  abstract static class Run<R extends com.google.protobuf.Message> extends ServerCommand {
    @Parameters(index = "0", paramLabel = "FILE",
        description = "The file to send (.gz is decompressed), or - for standard input.")
    String file;

    @Option(names = "--format", paramLabel = "csv|jsonl",
        description = "File format; by default from the name (.csv, .jsonl, .ndjson, .json, each also .gz), "
            + "else from the content (a line starting with '{' is JSON Lines).")
    Format format;

    @Option(names = "--batch-size", paramLabel = "N", description = "Records per request, 1 to 10000 (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--show-rejections", paramLabel = "N", defaultValue = "100",
        description = "Print at most this many rejections (default ${DEFAULT-VALUE}); the counts are always exact.")
    int showRejections;

    @Option(names = "--skip", paramLabel = "N", defaultValue = "0",
        description = "Skip the first N records of the file (lines that cannot be read do not count): "
            + "resumes a run stopped by Ctrl-C, an error or a file that could not be read to its end, "
            + "from what it said was committed.")
    long skip;

    @Option(names = "--stop-wait", paramLabel = "SECONDS", defaultValue = "5",
        description = "How long Ctrl-C waits for the acknowledgements of what was sent, 1 to 3600 (default ${DEFAULT-VALUE}).")
    int stopWaitSeconds;

    @Option(names = "--strict",
        description = "Refuse JSON lines with a field the record does not have (by default ignored, with one warning).")
    boolean strict;

    @Mixin
    FileCoverage coverage;

    private final CliContext context;

    Run(CliContext context, int defaultBatchSize) {
      this.context = context;
      this.batchSize = defaultBatchSize;
    }

    /** Plural noun for the records ("trades"). */
    abstract String unit();

    abstract RecordSource<R> open(Input input, Format format, boolean strict);

    /** Refuses a format this kind of record is not read from. */
    void checkFormat(Format format) {}

    abstract Sender<R> sender(Channel channel, int batchSize, ReconnectListener reconnects);

    /** Notes the market of a record for --covers. */
    abstract void saw(FileCoverage coverage, R record);

    @Override
    public Integer call() throws Exception {
      if (batchSize < 1 || batchSize > 10_000) {
        throw new IllegalArgumentException("--batch-size: must be 1 to 10000, got " + batchSize);
      }
      if (skip < 0) {
        throw new IllegalArgumentException("--skip: must be 0 or more, got " + skip);
      }
      if (stopWaitSeconds < 1 || stopWaitSeconds > 3600) {
        throw new IllegalArgumentException("--stop-wait: must be 1 to 3600 seconds, got " + stopWaitSeconds);
      }
      Format named = format != null ? format : Input.formatOf(file);
      if (named != null) {
        checkFormat(named); // before opening: a wrong format is the first thing to say
      }
      try (CtrlC ctrlC = CtrlC.install(spec.commandLine().getErr()); Input input = Input.open(file, context.stdin())) {
        return run(input, ctrlC);
      }
    }

    private Integer run(Input input, CtrlC ctrlC) throws Exception {
      PrintWriter out = out();
      PrintWriter err = spec.commandLine().getErr();
      Format chosen = format != null ? format : Input.formatOf(input.name());
      if (chosen == null) {
        chosen = input.firstSignificantByte() == '{' ? Format.jsonl : Format.csv;
      }
      if (input.firstSignificantByte() < 0) {
        return empty(out, err, input.name(), "the file is empty");
      }
      List<LineRejection> rejections = new ArrayList<>();
      long[] lineOfRecord = new long[1024]; // the file line of each record sent, by stream index
      long sent = 0;
      long skipped = 0;
      Summary summary;
      RecordSource.ReadFailure stopped = null; // the line the file could not be read on from, after some records were sent
      try (RecordSource<R> source = open(input, chosen, strict);
           TickvaultClient client = connection.connect()) {
        Progress progress = new Progress(err, context.terminal(), context.clock(), unit(), source.totalBytes());
        Sender<R> writer = sender(client.channel(), batchSize, (attempt, status, wait) -> progress.note(String.format(Locale.ROOT,
            "reconnecting (attempt %d) after %s", attempt, TickvaultCli.brief(status, connection.resolvedTarget()))));
        try (writer) {
          try {
            try {
              for (RecordSource.Line<R> line = source.next(); line != null; line = source.next()) {
                if (Thread.interrupted()) {
                  throw new InterruptedException();
                }
                if (line.record() == null) {
                  rejections.add(LineRejection.shown(line.lineNumber(), line.key(), line.field(), line.reason(), null));
                  continue;
                }
                saw(coverage, line.record());
                if (skipped < skip) {
                  skipped++;
                  continue;
                }
                if (sent == lineOfRecord.length) {
                  lineOfRecord = Arrays.copyOf(lineOfRecord, lineOfRecord.length * 2);
                }
                lineOfRecord[(int) sent++] = line.lineNumber();
                writer.write(line.record());
                progress.update(skipped + sent, source.bytesRead());
              }
            } catch (RecordSource.ReadFailure e) {
              if (skipped + sent == 0) {
                throw e; // nothing sent: a file that cannot be read (exit 2)
              }
              stopped = e; // what was sent before goes on to be committed and counted
            }
            if (skipped + sent == 0 && rejections.isEmpty()) {
              return empty(out, err, input.name(), "no " + unit() + " in the file (only a header or blank lines)");
            }
            source.warnings().forEach(progress::note);
            // Only here, the whole file read: a claim says no record is missing (the line a read stopped at is one).
            summary = writer.finish(coverage.claims(rejections.size() + (stopped != null ? 1 : 0)));
          } catch (InterruptedException e) {
            progress.clearLine();
            return interrupted(out, err, input.name(), skipped, sent, writer, ctrlC);
          } catch (StatusRuntimeException e) {
            progress.clearLine();
            if (skipped + sent > 0) { // what the failed calls had acknowledged is committed: say so before the error
              err.println("stopped: " + committed(skipped + writer.acknowledged(), skipped + sent,
                  skipped + writer.acknowledgedPrefix(), "the calls failed: the count may be low"));
            }
            throw e;
          }
          progress.finish(sent);
        }
      }
      int exit = summarize(out, input.name(), skipped, sent, summary, rejections, lineOfRecord, stopped);
      if (stopped != null) {
        err.printf(Locale.ROOT, "stopped at line %d, which cannot be read (%s): %s%n", stopped.line(), stopped.reason(),
            committed(skipped + sent, skipped + sent, skipped + sent, null));
        return ExitCodes.PARTLY_SENT;
      }
      return exit;
    }

    /**
     * "428,000 of 431,000 trades committed; rerun with --skip 428000 to resume …", as every stop
     * before the end of the file says it; {@code lowBecause} is null when the count is exact.
     */
    private String committed(long committed, long read, long resumeAt, String lowBecause) {
      return String.format(Locale.ROOT, "%s%,d of %,d %s committed%s; rerun with --skip %d to resume "
              + "(or rerun as is: committed %s count as duplicates)",
          lowBecause == null ? "" : "at least ", committed, read, unit(), lowBecause == null ? "" : " (" + lowBecause + ")",
          resumeAt, unit());
    }

    private int empty(PrintWriter out, PrintWriter err, String name, String why) {
      err.println(name + ": " + why + "; nothing sent" + (coverage.asked() ? " and nothing claimed" : ""));
      if (output.json()) {
        JsonObject json = new JsonObject();
        json.addProperty("file", name);
        json.addProperty("read", 0);
        json.addProperty("inserted", 0);
        json.addProperty("duplicates", 0);
        json.addProperty("rejected", 0);
        json.addProperty("empty", true);
        out.println(Json.of(json));
      }
      return ExitCodes.OK;
    }

    /**
     * After the first Ctrl-C: stops sending, waits {@code --stop-wait} for the acknowledgements in
     * flight, then says what was committed: exactly, unless they did not all come (or a second
     * Ctrl-C cut the wait short, which quits with what was known then).
     */
    private int interrupted(PrintWriter out, PrintWriter err, String name, long skipped, long sent, Sender<R> writer,
                            CtrlC ctrlC) throws InterruptedException {
      ctrlC.onSecond(() -> "interrupted again: quitting without waiting; " + committed(skipped + writer.acknowledged(),
          skipped + sent, skipped + writer.acknowledgedPrefix(), "the count may be low"));
      err.printf(Locale.ROOT, "interrupted: stopping; waiting up to %d s for the acknowledgements of what was sent "
          + "(Ctrl-C again to quit at once)%n", stopWaitSeconds);
      err.flush();
      boolean exact = writer.stop(Duration.ofSeconds(stopWaitSeconds));
      long committed = skipped + writer.acknowledged();
      long resumeAt = skipped + writer.acknowledgedPrefix();
      writer.close(); // cancels what is left: anything not acknowledged may or may not be stored
      err.println("interrupted: " + committed(committed, skipped + sent, resumeAt, exact ? null
          : "some acknowledgements did not come within " + stopWaitSeconds + " s: the count may be low"));
      if (output.json()) {
        JsonObject json = new JsonObject();
        json.addProperty("file", name);
        json.addProperty("interrupted", true);
        json.addProperty("sent", skipped + sent);
        json.addProperty("committed", committed);
        json.addProperty("committed_exact", exact);
        json.addProperty("resume_skip", resumeAt);
        out.println(Json.of(json));
      }
      return ExitCodes.INTERRUPTED;
    }

    private int summarize(PrintWriter out, String name, long skipped, long sent, Summary summary,
                          List<LineRejection> rejections, long[] lineOfRecord, RecordSource.ReadFailure stopped) {
      long unreadable = rejections.size();
      long notSent = unreadable + (stopped != null ? 1 : 0); // lines of the file not stored: no coverage claim
      for (RejectedRecord r : summary.rejections()) {
        long line = r.getIndex() >= 0 && r.getIndex() < sent ? lineOfRecord[(int) r.getIndex()] : -1;
        // A code this tool does not know yet is taken as unspecified, as the .proto asks.
        RejectionReason code = r.getCode() == RejectionReason.UNRECOGNIZED ? RejectionReason.REJECTION_REASON_UNSPECIFIED : r.getCode();
        rejections.add(LineRejection.shown(line, r.getRecordKey(), r.getField(), r.getReason(), code));
      }
      rejections.sort(Comparator.comparingLong(LineRejection::line));
      long rejected = summary.rejected() + unreadable;
      int exit = rejected > 0 || !summary.coverageRejections().isEmpty() ? ExitCodes.RECORDS_REJECTED : ExitCodes.OK;
      if (output.json()) {
        JsonObject json = summaryJson(name, skipped, sent, unreadable, rejected, summary, rejections);
        if (stopped != null) {
          json.addProperty("stopped_at_line", stopped.line());
          json.addProperty("stop_reason", stopped.reason());
          json.addProperty("resume_skip", skipped + sent);
        }
        if (coverage.asked()) {
          coverage.addTo(json, notSent, summary);
        }
        out.println(Json.of(json));
        return exit;
      }
      out.printf(Locale.ROOT, "%s: read %d, inserted %d, duplicates %d, rejected %d%s%s%s%n",
          name, skipped + sent + unreadable, summary.inserted(), summary.duplicates(), rejected,
          skipped > 0 ? ", skipped " + skipped : "",
          summary.reconnects() > 0 ? ", reconnects " + summary.reconnects() : "",
          stopped != null ? ", stopped at line " + stopped.line() + " (cannot be read)" : "");
      if (summary.received() != sent) {
        out.printf(Locale.ROOT, "warning: sent %d %s but the server counted %d%n", sent, unit(), summary.received());
      }
      if (unreadable > 0) {
        out.printf(Locale.ROOT, "(%d of the rejected lines could not be read and were not sent)%n", unreadable);
      }
      rejections.stream().limit(showRejections).forEach(r -> out.println(r.text()));
      if (rejections.size() > showRejections) {
        out.printf(Locale.ROOT, "... and %d more rejections%n", rejections.size() - showRejections);
      }
      if (coverage.asked()) {
        coverage.print(out, notSent, summary);
      }
      return exit;
    }

    /**
     * The summary as one object; each rejection carries the server's code, or none for a line that
     * could not be read (and so was not sent).
     */
    private static JsonObject summaryJson(String name, long skipped, long sent, long unreadable, long rejected,
                                          Summary summary, List<LineRejection> rejections) {
      JsonObject json = new JsonObject();
      json.addProperty("file", name);
      json.addProperty("read", skipped + sent + unreadable);
      json.addProperty("skipped", skipped);
      json.addProperty("sent", sent);
      json.addProperty("inserted", summary.inserted());
      json.addProperty("duplicates", summary.duplicates());
      json.addProperty("rejected", rejected);
      json.addProperty("unreadable", unreadable);
      json.addProperty("reconnects", summary.reconnects());
      JsonArray list = new JsonArray();
      rejections.forEach(r -> list.add(r.json()));
      json.add("rejections", list);
      return json;
    }
  }

  @Command(name = "trades", mixinStandardHelpOptions = true,
      description = "Streams trades from a CSV file (header line with the .proto field names or their "
          + "lowerCamelCase: exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms and "
          + "optionally taker_side (BUY, SELL, TRADE_SIDE_BUY... or empty) and receive_time_ms) or a "
          + "JSON Lines file (one Trade per line). Uses StreamTrades: when the server restarts or its "
          + "database goes away, the trades not yet acknowledged are sent again on a new call, for up "
          + "to two minutes without progress.")
  static final class Trades extends Run<Trade> {
    Trades(CliContext context) {
      super(context, 2_000);
    }

    @Override
    String unit() {
      return "trades";
    }

    @Override
    RecordSource<Trade> open(Input input, Format format, boolean strict) {
      return format == Format.csv ? new TradeCsvSource(input) : new JsonLinesSource<>(input, Trade::newBuilder, strict);
    }

    @Option(names = "--streams", paramLabel = "N", defaultValue = "1",
        description = "StreamTrades calls at once, 1 to 8 (default ${DEFAULT-VALUE}): with more, PostgreSQL copies one "
            + "call's batch while the server checks another's, which pays when it has cores to spare. Every trade "
            + "of a key goes through one call, in file order.")
    int streams;

    @Override
    Sender<Trade> sender(Channel channel, int batchSize, ReconnectListener reconnects) {
      if (streams < 1 || streams > 8) {
        throw new IllegalArgumentException("--streams: must be 1 to 8, got " + streams);
      }
      return new TradeStreams(channel, streams, batchSize, reconnects);
    }

    @Override
    void saw(FileCoverage coverage, Trade trade) {
      coverage.saw(trade.getExchangeId(), trade.getCurrencyPairNo());
    }
  }

  @Command(name = "orderbooks", mixinStandardHelpOptions = true,
      description = "Streams order book snapshots from a JSON Lines file: one OrderBookSnapshot per "
          + "line, e.g. {\"exchange_id\":1,\"currency_pair_no\":1,\"server_time_ms\":1700000000000,"
          + "\"sequence_id\":1,\"bids\":[{\"price\":\"100\",\"quantity\":\"2\"}],"
          + "\"asks\":[{\"price\":\"101\",\"quantity\":\"1\"}]}. CSV is not accepted for order books. "
          + "Snapshots go in calls of a few thousand; when the server restarts or its database goes away, "
          + "the current call's snapshots are sent again (those already stored count as duplicates).")
  static final class OrderBooks extends Run<OrderBookSnapshot> {
    OrderBooks(CliContext context) {
      super(context, 100);
    }

    @Override
    String unit() {
      return "snapshots";
    }

    @Override
    void checkFormat(Format format) {
      if (format == Format.csv) {
        throw new IllegalArgumentException("order books are read from JSON Lines only (one snapshot per line, "
            + "bids and asks as arrays): use a .jsonl file or --format jsonl");
      }
    }

    @Override
    RecordSource<OrderBookSnapshot> open(Input input, Format format, boolean strict) {
      checkFormat(format);
      return new JsonLinesSource<>(input, OrderBookSnapshot::newBuilder, strict);
    }

    @Override
    Sender<OrderBookSnapshot> sender(Channel channel, int batchSize, ReconnectListener reconnects) {
      return new OrderBookSender(channel, batchSize, reconnects);
    }

    @Override
    void saw(FileCoverage coverage, OrderBookSnapshot snapshot) {
      coverage.saw(snapshot.getExchangeId(), snapshot.getCurrencyPairNo());
    }
  }
}
