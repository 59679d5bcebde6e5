package io.tickvault.client.cli;

import com.google.protobuf.MessageOrBuilder;
import io.tickvault.api.v1.Trade;
import java.io.IOException;
import java.io.Writer;
import java.util.function.BiConsumer;

/**
 * Records printed a line each, as {@code read} and {@code subscribe} print them: CSV after its
 * header where the kind has columns, else JSON Lines (one message a line, as {@code ingest} reads).
 */
final class RecordLines<R extends MessageOrBuilder> {
  /** A kind's CSV: its header and how one record becomes a line (without the line break). */
  record Csv<R>(String header, BiConsumer<StringBuilder, R> line) {}

  static final Csv<Trade> TRADES = new Csv<>(CsvLines.TRADE_HEADER, CsvLines::trade);

  private final Csv<R> csv;
  private final Writer out;
  private final StringBuilder line = new StringBuilder(256);

  private RecordLines(Csv<R> csv, Writer out) {
    this.csv = csv;
    this.out = out;
  }

  /** Starts the output: the CSV header when {@code format} is CSV ({@code csv} is then not null). */
  static <R extends MessageOrBuilder> RecordLines<R> start(ReadCommand.Format format, Csv<R> csv, Writer out)
      throws IOException {
    boolean asCsv = format == ReadCommand.Format.csv;
    if (asCsv) {
      out.write(csv.header());
      out.write('\n');
    }
    return new RecordLines<>(asCsv ? csv : null, out);
  }

  void write(R record) throws IOException {
    line.setLength(0);
    if (csv != null) {
      csv.line().accept(line, record);
    } else {
      line.append(Json.of(record));
    }
    line.append('\n');
    out.append(line);
  }
}
