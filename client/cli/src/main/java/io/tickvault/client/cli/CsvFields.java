package io.tickvault.client.cli;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits one CSV line given as bytes into its values, without making a String of each: commas
 * separate, double quotes enclose ("a,b"), {@code ""} inside quotes is a quote; each value is
 * trimmed of white space and control characters (bytes up to a space, as {@link String#trim()})
 * outside its quotes.
 * Value {@code i} is {@link #bytes()} from {@link #start(int)} to {@link #end(int)}, valid until
 * the next {@link #split} and while the line's bytes are unchanged: ranges of the line itself when
 * it has no quotes (the usual line, read without copying a byte), else of a reused buffer the
 * values are copied into, unquoted.
 */
final class CsvFields {
  /** What {@link #digits} returns for a value it leaves to the JDK; 18 digits never make it. */
  private static final long NOT_DIGITS = Long.MIN_VALUE;

  private byte[] unquoted = new byte[256];
  private byte[] values; // the line, or unquoted
  private int[] starts = new int[16];
  private int[] ends = new int[16];
  private int count;
  private boolean ascii;
  private boolean closed;

  /** Splits {@code line[from, to)}. */
  void split(byte[] line, int from, int to) {
    values = line;
    count = 0;
    ascii = true;
    closed = true;
    int valueStart = from;
    for (int i = from; i < to; i++) {
      byte c = line[i];
      if (c > ',') {
        continue; // digits, letters, '.', '-': most bytes of a line, settled by one comparison
      }
      if (c == ',') {
        add(valueStart, i, -1, -1);
        valueStart = i + 1;
      } else if (c == '"') {
        splitQuoted(line, from, to);
        return;
      } else if (c < 0) {
        ascii = false;
      }
    }
    add(valueStart, to, -1, -1);
  }

  /** Splits a line with quotes, copying its values unquoted into a buffer of their own. */
  private void splitQuoted(byte[] line, int from, int to) {
    if (unquoted.length < to - from) {
      unquoted = new byte[Math.max(to - from, unquoted.length * 2)];
    }
    values = unquoted;
    count = 0;
    ascii = true;
    int length = 0;
    int valueStart = 0;
    int keepFrom = -1; // values[keepFrom, keepTo) came from inside quotes: not trimmed
    int keepTo = -1;
    boolean quoted = false;
    for (int i = from; i < to; i++) {
      byte c = line[i];
      if (c < 0) {
        ascii = false;
      }
      if (quoted) {
        if (c == '"' && i + 1 < to && line[i + 1] == '"') {
          values[length++] = '"';
          i++;
        } else if (c == '"') {
          quoted = false;
          keepTo = length;
        } else {
          values[length++] = c;
        }
      } else if (c == '"') {
        quoted = true;
        keepFrom = keepFrom < 0 ? length : keepFrom;
      } else if (c == ',') {
        add(valueStart, length, keepFrom, keepTo);
        valueStart = length;
        keepFrom = -1;
        keepTo = -1;
      } else {
        values[length++] = c;
      }
    }
    closed = !quoted;
    add(valueStart, length, keepFrom, keepTo);
  }

  private void add(int start, int end, int keepFrom, int keepTo) {
    // Trimmed of bytes 0 to 32 (unsigned), as String.trim() removes characters up to U+0020, but
    // never inside quotes: " a " is " a ", as CsvLines writes a value that starts or ends so.
    int startLimit = keepFrom < 0 ? end : keepFrom;
    while (start < startLimit && (values[start] & 0xff) <= ' ') {
      start++;
    }
    int endLimit = keepTo < 0 ? start : keepTo;
    while (end > endLimit && (values[end - 1] & 0xff) <= ' ') {
      end--;
    }
    if (count == starts.length) {
      starts = Arrays.copyOf(starts, count * 2);
      ends = Arrays.copyOf(ends, count * 2);
    }
    starts[count] = start;
    ends[count] = end;
    count++;
  }

  /** False when the line ends inside quotes: a value cannot hold a line break, the line is cut. */
  boolean closed() {
    return closed;
  }

  /** Values on the line: one more than its separating commas. */
  int count() {
    return count;
  }

  byte[] bytes() {
    return values;
  }

  int start(int i) {
    return starts[i];
  }

  int end(int i) {
    return ends[i];
  }

  int length(int i) {
    return ends[i] - starts[i];
  }

  /** Whether the line held only ASCII bytes: then every value is valid UTF-8 as it is. */
  boolean ascii() {
    return ascii;
  }

  /** Value {@code i} as a String (decoded as UTF-8). */
  String text(int i) {
    return new String(values, starts[i], ends[i] - starts[i], StandardCharsets.UTF_8);
  }

  /** Whether value {@code i} is exactly these ASCII characters. */
  boolean is(int i, String ascii) {
    int length = ends[i] - starts[i];
    if (length != ascii.length()) {
      return false;
    }
    for (int k = 0; k < length; k++) {
      if (values[starts[i] + k] != ascii.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Value {@code i} as an int, as {@link Integer#parseInt(String)} reads it (an optional sign, then
   * digits), with the same NumberFormatException; up to 9 ASCII digits without making a String.
   */
  int parseInt(int i) {
    long n = digits(i, 9);
    return n != NOT_DIGITS ? (int) n : Integer.parseInt(text(i));
  }

  /** Value {@code i} as a long, as {@link Long#parseLong(String)} reads it; up to 18 ASCII digits without a String. */
  long parseLong(int i) {
    long n = digits(i, 18);
    return n != NOT_DIGITS ? n : Long.parseLong(text(i));
  }

  /**
   * Value {@code i} when it is an optional sign and 1 to {@code maxDigits} ASCII digits, else
   * {@link #NOT_DIGITS}: the JDK's parser then reads it, or says why it cannot.
   */
  private long digits(int i, int maxDigits) {
    int from = starts[i];
    int length = ends[i] - from;
    boolean negative = length > 1 && values[from] == '-';
    if (length > 1 && (values[from] == '-' || values[from] == '+')) {
      from++;
    }
    if (ends[i] <= from || ends[i] - from > maxDigits) {
      return NOT_DIGITS;
    }
    long n = 0;
    for (int k = from; k < ends[i]; k++) {
      int digit = values[k] - '0';
      if (digit < 0 || digit > 9) {
        return NOT_DIGITS;
      }
      n = n * 10 + digit;
    }
    return negative ? -n : n;
  }
}
