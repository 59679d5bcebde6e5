package io.tickvault.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of a stream as bytes, without decoding them: each line is a range of {@link #bytes()}
 * valid until the next call of {@link #next()}. Lines end as {@link java.io.BufferedReader#readLine()}
 * ends them: at {@code \n}, {@code \r\n} or a lone {@code \r}; the terminator is not part of the line.
 * A 1M-line CSV is read several times faster this way than as Strings (bench/ingest-csv.sh).
 *
 * <p>A line is at most {@code maxLineBytes} long: a longer one is not kept but skipped to its end as
 * it streams by, and handed out {@linkplain #tooLong() as too long} with its length and no bytes,
 * so a file of one line of gigabytes costs a buffer of twice the bound, not an array of the line.
 */
final class ByteLines {
  /** The longest line kept, by default: hundreds of times an honest trade or order book line. */
  static final int MAX_LINE_BYTES = 64 * 1024;

  private final InputStream in;
  private final int maxLineBytes;
  private byte[] buffer = new byte[64 * 1024];
  private int filled; // bytes of buffer holding data
  private int position; // where the next line starts
  private boolean eof;
  private boolean afterCarriageReturn; // the last line ended at \r: a \n right after it belongs to it
  private int start;
  private int end;
  private long tooLongLength = -1; // the current line's length when it is too long to keep, else -1

  ByteLines(InputStream in) {
    this(in, MAX_LINE_BYTES);
  }

  ByteLines(InputStream in, int maxLineBytes) {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
    }
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** Moves to the next line; false at the end of the stream. */
  boolean next() throws IOException {
    tooLongLength = -1;
    if (afterCarriageReturn) {
      if (position == filled && !fill()) {
        return false;
      }
      if (buffer[position] == '\n') {
        position++;
      }
      afterCarriageReturn = false;
    }
    int i = position; // bytes before i are scanned: no line break there
    long dropped = 0; // bytes of a too long line already let go
    while (true) {
      for (; i < filled; i++) {
        byte b = buffer[i];
        if (b > '\r') {
          continue; // what is not a control character, settled by one comparison
        }
        if (b == '\n' || b == '\r') {
          endLine(i, dropped);
          position = i + 1;
          afterCarriageReturn = b == '\r';
          return true;
        }
      }
      if (filled - position > maxLineBytes) { // too long to keep: count it and read on to its end
        dropped += filled - position;
        position = filled;
      }
      int shift = position;
      if (!fill()) {
        if (position < filled || dropped > 0) { // a last line without a line break
          endLine(filled, dropped);
          position = filled;
          return true;
        }
        return false;
      }
      i -= shift - position; // fill() may have moved the line to the front
    }
  }

  private void endLine(int at, long dropped) {
    long length = dropped + (at - position);
    if (length > maxLineBytes) {
      tooLongLength = length;
      start = at;
    } else {
      start = position;
    }
    end = at;
  }

  /** Whether the current line is longer than the bound: then it has no bytes, only its {@link #length()}. */
  boolean tooLong() {
    return tooLongLength >= 0;
  }

  /** The current line's length in bytes (without its line break), also when it is too long to keep. */
  long length() {
    return tooLong() ? tooLongLength : end - start;
  }

  /** The buffer holding the current line, from {@link #start()} to {@link #end()}. */
  byte[] bytes() {
    return buffer;
  }

  int start() {
    return start;
  }

  int end() {
    return end;
  }

  /** The current line, decoded (malformed UTF-8 becomes U+FFFD, as a Reader would give it). */
  String text() {
    return new String(buffer, start, end - start, StandardCharsets.UTF_8);
  }

  /** Whether the current line is empty or only white space (as {@link String#isBlank()} says). */
  boolean isBlank() {
    for (int i = start; i < end; i++) {
      byte b = buffer[i];
      if (b < 0) {
        return text().isBlank(); // a non-ASCII character: let String judge Unicode white space
      }
      if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads more: keeps the unread part of the line in progress at the front (growing the buffer when
   * that part fills it: a longer line, up to twice the bound), then appends what the stream gives.
   * False at its end.
   */
  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (filled == buffer.length) { // only when full: moving a long line for every small read would be quadratic
      if (position > 0) {
        System.arraycopy(buffer, position, buffer, 0, filled - position);
        filled -= position;
        position = 0;
      } else {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
    }
    int n = in.read(buffer, filled, buffer.length - filled);
    if (n < 0) {
      eof = true;
      return false;
    }
    filled += n;
    return true;
  }
}
