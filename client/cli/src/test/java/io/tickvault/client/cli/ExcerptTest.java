package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExcerptTest {
  @Test
  void printableText_isShownAsItIs_inAnyScript() {
    assertThat(Excerpt.of("t-1 64250.5 Zürich 東京 ₿")).isEqualTo("t-1 64250.5 Zürich 東京 ₿");
  }

  @Test
  void controlCharactersAndBytesThatAreNotUtf8_areEscaped_soNoneReachesTheTerminal() {
    byte[] bytes = {'a', 0x1b, '[', '2', 'J', 0, 0x7f, (byte) 0xff, (byte) 0xc3, 'b', (byte) 0xc2, (byte) 0x9b, '\r'};

    String shown = Excerpt.of(bytes, 0, bytes.length);

    // ESC, NUL, DEL, a byte no UTF-8 has, a lead byte without its continuation, C1 CSI (U+009B), CR
    assertThat(shown).isEqualTo("a\\x1b[2J\\x00\\x7f\\xff\\xc3b\\xc2\\x9b\\x0d");
    assertThat(shown.chars().allMatch(c -> c >= 0x20 && c != 0x7f)).isTrue();
    // a bidirectional override would reorder what the terminal shows after it
    assertThat(Excerpt.of("a\u202eb")).isEqualTo("a\\xe2\\x80\\xaeb");
  }

  @Test
  void longInput_showsItsFirst100Bytes_andItsSize() {
    byte[] line = "x".repeat(30 * 1024 * 1024).getBytes(StandardCharsets.US_ASCII);

    assertThat(Excerpt.of(line, 0, line.length)).isEqualTo("x".repeat(100) + "... (31,457,280 bytes)");
    assertThat(Excerpt.of("y".repeat(100))).isEqualTo("y".repeat(100));
    // a character cut at the 100th byte is not half shown as if it were whole
    assertThat(Excerpt.of("y".repeat(99) + "ü")).isEqualTo("y".repeat(99) + "\\xc3... (101 bytes)");
  }
}
