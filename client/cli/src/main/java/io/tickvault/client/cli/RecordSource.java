package io.tickvault.client.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Records read one line at a time from an {@link Input} (CSV or JSON Lines), each either parsed or refused
 * with its line number, and how far through the file the reading is (for the progress bar's ETA).
 *
 * @param <R> the record message
 */
abstract class RecordSource<R> implements Closeable {
  /** A line's outcome: a record, or why the line could not be read as one. */
  record Line<R>(long lineNumber, R record, String key, String field, String reason) {
    static <R> Line<R> of(long lineNumber, R record) {
      return new Line<>(lineNumber, record, null, null, null);
    }

    static <R> Line<R> unreadable(long lineNumber, String key, String field, String reason) {
      return new Line<>(lineNumber, null, key, field, reason);
    }
  }

  private final Input input;
  private final ByteLines lines;
  private long lineNumber;

  RecordSource(Input input) {
    this.input = input;
    this.lines = new ByteLines(input.content());
  }

  RecordSource(Path file) {
    this(Input.open(file));
  }

  /** The next record or unreadable line, skipping blank lines; null at the end of the file. */
  final Line<R> next() {
    try {
      while (lines.next()) {
        lineNumber++;
        if (lines.tooLong()) {
          return tooLong(lineNumber, lines.length());
        }
        if (!lines.isBlank()) {
          return parse(lineNumber, lines);
        }
      }
      return null;
    } catch (IOException e) {
      throw new ReadFailure(lineNumber + 1, e);
    }
  }

  /**
   * The file cannot be read on from {@link #line()} (a truncated gzip, a disk error); every line
   * before it has been handed out.
   */
  static final class ReadFailure extends UncheckedIOException {
    private final long line;

    ReadFailure(long line, IOException cause) {
      super("cannot read line " + line + ": " + Excerpt.of(cause.getMessage(), 4 * Excerpt.MAX_BYTES), cause);
      this.line = line;
    }

    long line() {
      return line;
    }

    /** What went wrong, without the line: "Unexpected end of ZLIB input stream". */
    String reason() {
      return Excerpt.of(getCause().getMessage(), 4 * Excerpt.MAX_BYTES);
    }
  }

  /** Parses one non-blank line, as bytes ({@link ByteLines#text()} decodes it). */
  abstract Line<R> parse(long lineNumber, ByteLines line);

  /** A line longer than {@link ByteLines#MAX_LINE_BYTES}: refused on its own, like any line that cannot be read. */
  Line<R> tooLong(long lineNumber, long length) {
    return Line.unreadable(lineNumber, "", "", tooLongReason(length));
  }

  static String tooLongReason(long length) {
    return String.format(java.util.Locale.ROOT, "the line is %,d bytes, longer than the %,d a line may have", length,
        ByteLines.MAX_LINE_BYTES);
  }

  /** Bytes of the file read so far (ahead of the lines handed out by at most the read buffers). */
  final long bytesRead() {
    return input.bytesRead();
  }

  /** The file's size, or -1 when unknown (standard input). */
  final long totalBytes() {
    return input.totalBytes();
  }

  /** Lines read so far, blank ones included. */
  final long lineNumber() {
    return lineNumber;
  }

  /** Warnings about the file as a whole, each given once (an unknown JSON field ignored...). */
  java.util.List<String> warnings() {
    return java.util.List.of();
  }

  @Override
  public void close() throws IOException {
    input.content().close();
  }
}
