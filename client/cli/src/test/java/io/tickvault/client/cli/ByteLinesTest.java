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
    assertThat(lines(text, 1)).containsExactly("first", longLine, "after");
    assertThat(lines(text, 7)).containsExactly("first", longLine, "after");
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
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    InputStream in = new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, bytesPerRead));
      }
    };
    ByteLines lines = new ByteLines(in);
    List<String> out = new ArrayList<>();
    while (lines.next()) {
      out.add(lines.text());
    }
    return out;
  }
}
