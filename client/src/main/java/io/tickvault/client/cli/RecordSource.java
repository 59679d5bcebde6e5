package io.tickvault.client.cli;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Records read one line at a time from a file (CSV or JSON Lines), each either parsed or refused
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

  private final CountingStream counted;
  private final BufferedReader reader;
  private final long totalBytes;
  private long lineNumber;

  RecordSource(Path file) {
    try {
      this.totalBytes = Files.size(file);
      this.counted = new CountingStream(Files.newInputStream(file));
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("no such file: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    this.reader = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8), 64 * 1024);
  }

  /** The next record or unreadable line, skipping blank lines; null at the end of the file. */
  final Line<R> next() {
    try {
      String text;
      while ((text = reader.readLine()) != null) {
        lineNumber++;
        if (!text.isBlank()) {
          return parse(lineNumber, text);
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read line " + (lineNumber + 1) + ": " + e.getMessage(), e);
    }
  }

  /** Parses one non-blank line. */
  abstract Line<R> parse(long lineNumber, String text);

  /** Bytes read so far (ahead of the lines handed out by at most the read buffer). */
  final long bytesRead() {
    return counted.count;
  }

  final long totalBytes() {
    return totalBytes;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  private static final class CountingStream extends FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
