package io.tickvault.client.cli;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * A file argument opened for reading: a path, or {@code -} for standard input; gzip-compressed
 * content (by its magic bytes, whatever the name) is decompressed; a UTF-8 byte-order mark is
 * dropped. Counts the bytes read from the underlying file, for the progress bar.
 */
final class Input implements AutoCloseable {
  private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final String name;
  private final long totalBytes;
  private final Counting counted;
  private final BufferedInputStream content;

  private Input(String name, InputStream raw, long totalBytes) throws IOException {
    this.name = name;
    this.totalBytes = totalBytes;
    this.counted = new Counting(raw);
    BufferedInputStream buffered = new BufferedInputStream(counted, 64 * 1024);
    InputStream decoded = isGzip(buffered) ? new GZIPInputStream(buffered, 64 * 1024) : buffered;
    this.content = new BufferedInputStream(decoded, 64 * 1024);
    skipBom(content);
  }

  /** {@code -} is standard input; anything else a path. */
  static Input open(String argument, InputStream stdin) {
    if ("-".equals(argument)) {
      try {
        return new Input("-", stdin, -1);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
      }
    }
    return open(Path.of(argument));
  }

  static Input open(Path file) {
    try {
      return new Input(file.getFileName().toString(), Files.newInputStream(file), Files.size(file));
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("no such file: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The file's name as the summary shows it ("-" for standard input). */
  String name() {
    return name;
  }

  /** The content, decompressed, without a byte-order mark. */
  InputStream content() {
    return content;
  }

  /** The first byte of the content that is not white space, or -1 when there is none in the first 64 KiB. */
  int firstSignificantByte() {
    try {
      content.mark(64 * 1024);
      try {
        for (int i = 0; i < 64 * 1024; i++) {
          int b = content.read();
          if (b < 0 || !Character.isWhitespace(b)) {
            return b;
          }
        }
        return -1;
      } finally {
        content.reset();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  /** Bytes of the file (compressed, if it is) read so far. */
  long bytesRead() {
    return counted.count;
  }

  /** The file's size, or -1 for standard input. */
  long totalBytes() {
    return totalBytes;
  }

  /** Whether a file name says CSV (.csv, .csv.gz), JSON Lines (.jsonl, .ndjson, .json, and .gz of them) or nothing. */
  static IngestCommand.Format formatOf(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".gz")) {
      lower = lower.substring(0, lower.length() - 3);
    }
    if (lower.endsWith(".csv")) {
      return IngestCommand.Format.csv;
    }
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) {
      return IngestCommand.Format.jsonl;
    }
    return null;
  }

  private static boolean isGzip(BufferedInputStream in) throws IOException {
    in.mark(2);
    int first = in.read();
    int second = in.read();
    in.reset();
    return first == 0x1f && second == 0x8b;
  }

  private static void skipBom(BufferedInputStream in) throws IOException {
    in.mark(3);
    byte[] head = in.readNBytes(3);
    if (head.length != 3 || head[0] != UTF8_BOM[0] || head[1] != UTF8_BOM[1] || head[2] != UTF8_BOM[2]) {
      in.reset();
    }
  }

  @Override
  public void close() throws IOException {
    content.close();
  }

  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
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
