package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteLinesTest {
  @Test
  void linesEndAtLfCrLfOrALoneCr_asBufferedReaderEndsThem() throws Exception {
    String text = "a,b\r\nc\n\r\nd\re\n\nlast";

    assertThat(lines(text, 64 * 1024)).containsExactly("a,b", "c", "", "d", "e", "", "last")
        .isEqualTo(new java.io.BufferedReader(new java.io.StringReader(text)).lines().toList());
  }

  @Test
  void aCrLfSplitAcrossReads_isOneLineBreak_andLinesLongerThanTheBufferAreWhole() throws Exception {
    String longLine = "x".repeat(200_000);
    String text = "first\r\n" + longLine + "\r\nafter\r";

    // One byte per read puts every \r and its \n in different reads.
    assertThat(lines(text, 1, 1 << 20)).containsExactly("first", longLine, "after");
    assertThat(lines(text, 7, 1 << 20)).containsExactly("first", longLine, "after");
  }

  @Test
  void aLineLongerThanTheBound_isToldWithItsLength_withoutItsBytes_andItsNeighboursAreWhole() throws Exception {
    String bound = "b".repeat(ByteLines.MAX_LINE_BYTES);
    String text = "first\n" + "x".repeat(300_000) + "\r\n" + bound + "\n" + "y".repeat(ByteLines.MAX_LINE_BYTES + 1);

    for (int bytesPerRead : new int[] {1, 7, 64 * 1024}) {
      assertThat(lines(text, bytesPerRead, ByteLines.MAX_LINE_BYTES)).as("%d bytes per read", bytesPerRead)
          .containsExactly("first", "too long: 300000", bound, "too long: 65537");
    }
    assertThat(lines("ab\nabc\nabcd\r\nabc", 64 * 1024, 3)).containsExactly("ab", "abc", "too long: 4", "abc");
  }

  @Test
  void aLineOfGigabytes_isSkippedAsItStreams_holdingTwiceTheBoundAtMost() throws Exception {
    long length = 256L * 1024 * 1024; // the buffer stays at twice the bound whatever the length: past 2 GiB too
    InputStream huge = new InputStream() { // "ok\n", a line of `length` x, "\nafter": generated, never held
      long position;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0];
      }

      @Override
      public int read(byte[] b, int off, int len) {
        byte[] head = "ok\n".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\nafter".getBytes(StandardCharsets.US_ASCII);
        long total = head.length + length + tail.length;
        if (position >= total) {
          return -1;
        }
        int n = (int) Math.min(len, total - position);
        if (position >= head.length && position + n <= head.length + length) {
          java.util.Arrays.fill(b, off, off + n, (byte) 'x'); // the long line's middle, fast
          position += n;
          return n;
        }
        for (int i = 0; i < n; i++, position++) {
          b[off + i] = position < head.length ? head[(int) position]
              : position < head.length + length ? (byte) 'x' : tail[(int) (position - head.length - length)];
        }
        return n;
      }
    };
    ByteLines lines = new ByteLines(huge);
    List<String> out = new ArrayList<>();
    while (lines.next()) {
      out.add(lines.tooLong() ? "too long: " + lines.length() : lines.text());
      assertThat(lines.bytes().length).isLessThanOrEqualTo(2 * ByteLines.MAX_LINE_BYTES);
    }
    assertThat(out).containsExactly("ok", "too long: " + length, "after");
  }

  @Test
  void emptyStream_hasNoLines_andBlankMeansWhiteSpaceOnly() throws Exception {
    assertThat(lines("", 10)).isEmpty();
    ByteLines lines = new ByteLines(new ByteArrayInputStream(" \t\u000B\f\n \u2003 \n \u00A0\n x \n".getBytes(StandardCharsets.UTF_8)));
    List<Boolean> blank = new ArrayList<>();
    while (lines.next()) {
      blank.add(lines.isBlank());
    }
    // U+2003 (em space) is white space to String.isBlank(), U+00A0 (no-break space) is not.
    assertThat(blank).containsExactly(true, true, false, false);
  }

  private static List<String> lines(String text, int bytesPerRead) throws Exception {
    return lines(text, bytesPerRead, ByteLines.MAX_LINE_BYTES);
  }

  private static List<String> lines(String text, int bytesPerRead, int maxLineBytes) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    InputStream in = new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, bytesPerRead));
      }
    };
    ByteLines lines = new ByteLines(in, maxLineBytes);
    List<String> out = new ArrayList<>();
    while (lines.next()) {
      out.add(lines.tooLong() ? "too long: " + lines.length() : lines.text());
    }
    return out;
  }
}
