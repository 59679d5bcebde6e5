package io.tickvault.client.cli;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Input as a message shows it: at most {@link #MAX_BYTES} bytes of it, and nothing a terminal would
 * act on. Control characters (ESC, NUL, DEL, C1, bidirectional overrides...) and bytes that are not
 * UTF-8 are written as {@code \xNN}, one per byte; printable text, any script, is shown as it is.
 * What is cut off is said with its size: {@code xxxx... (31,457,280 bytes)}.
 */
final class Excerpt {
  /** Bytes of input shown at most. */
  static final int MAX_BYTES = 100;

  private Excerpt() {}

  static String of(String text) {
    return of(text, MAX_BYTES);
  }

  /** A text that holds an excerpt among words of our own, capped at {@code maxBytes}. */
  static String of(String text, int maxBytes) {
    if (text == null) {
      return "";
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return of(bytes, 0, bytes.length, maxBytes);
  }

  /** {@code bytes[from, to)}, shown. */
  static String of(byte[] bytes, int from, int to) {
    return of(bytes, from, to, MAX_BYTES);
  }

  static String of(byte[] bytes, int from, int to, int maxBytes) {
    int stop = Math.min(to, from + maxBytes);
    StringBuilder out = new StringBuilder(Math.min(to - from, maxBytes) + 16);
    int i = from;
    while (i < stop) {
      int b = bytes[i] & 0xFF;
      if (b >= 0x20 && b < 0x7F) {
        out.append((char) b);
        i++;
        continue;
      }
      int length = sequenceLength(bytes, i, stop);
      int codePoint = length > 1 ? decode(bytes, i, length) : -1;
      if (codePoint >= 0 && printable(codePoint)) {
        out.appendCodePoint(codePoint);
        i += length;
      } else {
        out.append(String.format(Locale.ROOT, "\\x%02x", b));
        i++;
      }
    }
    if (stop < to) {
      out.append(String.format(Locale.ROOT, "... (%,d bytes)", to - from));
    }
    return out.toString();
  }

  /** The length of the UTF-8 sequence that starts at {@code i} when it is whole before {@code stop}, else 1. */
  private static int sequenceLength(byte[] bytes, int i, int stop) {
    int lead = bytes[i] & 0xFF;
    int length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 1;
    if (i + length > stop) {
      return 1;
    }
    for (int k = 1; k < length; k++) {
      if ((bytes[i + k] & 0xC0) != 0x80) {
        return 1;
      }
    }
    return length;
  }

  /** The code point of a well-formed sequence, or -1 for an overlong one or a surrogate. */
  private static int decode(byte[] bytes, int i, int length) {
    int codePoint = bytes[i] & (0x7F >> length);
    for (int k = 1; k < length; k++) {
      codePoint = (codePoint << 6) | (bytes[i + k] & 0x3F);
    }
    int least = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    boolean valid = codePoint >= least && codePoint <= 0x10FFFF && (codePoint < 0xD800 || codePoint > 0xDFFF);
    return valid ? codePoint : -1;
  }

  private static boolean printable(int codePoint) {
    int type = Character.getType(codePoint);
    return type != Character.CONTROL && type != Character.FORMAT && type != Character.UNASSIGNED
        && type != Character.PRIVATE_USE && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR;
  }
}
