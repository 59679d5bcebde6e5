package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvFieldsTest {
  @Test
  void quotesEncloseCommasAndQuotes_valuesAreTrimmedOutsideQuotes_emptyValuesCount() {
    assertThat(split("a,\"b,c\",\"d\"\"e\",,  f \t, \" g \"\t,\"\"")).containsExactly("a", "b,c", "d\"e", "", "f", " g ", "");
    assertThat(split("")).containsExactly("");
    assertThat(split(",")).containsExactly("", "");
    // As before the rewrite: a quote may open in mid-value.
    assertThat(split(" ab\"c,d\"e ,f")).containsExactly("abc,de", "f");
    CsvFields fields = new CsvFields();
    fields.split(bytes("1,\"open,to the end"), 0, bytes("1,\"open,to the end").length);
    assertThat(fields.closed()).isFalse();
    fields.split(bytes("1,\"closed\""), 0, bytes("1,\"closed\"").length);
    assertThat(fields.closed()).isTrue();
  }

  @Test
  void valuesAreSplitInsideALargerBuffer_andNonAsciiIsKeptAndFlagged() {
    CsvFields fields = new CsvFields();
    byte[] line = "xx1,é\"q\",3yy".getBytes(StandardCharsets.UTF_8);

    fields.split(line, 2, line.length - 2);

    assertThat(fields.count()).isEqualTo(3);
    assertThat(fields.text(1)).isEqualTo("éq");
    assertThat(fields.ascii()).isFalse();
    fields.split(line, 0, 3);
    assertThat(fields.ascii()).isTrue();
    assertThat(fields.text(0)).isEqualTo("xx1");
  }

  @Test
  void aLineWithoutQuotes_isReadInPlace_trimmedAndFlaggedAlike() {
    CsvFields fields = new CsvFields();
    byte[] line = "zz 1 ,é,\tx\t,,42yy".getBytes(StandardCharsets.UTF_8);

    fields.split(line, 2, line.length - 2);

    assertThat(fields.bytes()).isSameAs(line); // nothing copied
    assertThat(List.of(fields.text(0), fields.text(1), fields.text(2), fields.text(3), fields.text(4)))
        .containsExactly("1", "é", "x", "", "42");
    assertThat(fields.ascii()).isFalse();
    assertThat(fields.closed()).isTrue();
    assertThat(fields.parseInt(4)).isEqualTo(42);
    assertThat(fields.is(2, "x")).isTrue();
  }

  @Test
  void wholeNumbers_asIntegerAndLongParseReadThem() {
    CsvFields fields = new CsvFields();
    fields.split(bytes("0,+7,-12,999999999,2147483647,-2147483648,1764115200000,9223372036854775807,-9223372036854775808"), 0,
        bytes("0,+7,-12,999999999,2147483647,-2147483648,1764115200000,9223372036854775807,-9223372036854775808").length);

    assertThat(List.of(fields.parseInt(0), fields.parseInt(1), fields.parseInt(2), fields.parseInt(3), fields.parseInt(4),
        fields.parseInt(5))).containsExactly(0, 7, -12, 999_999_999, Integer.MAX_VALUE, Integer.MIN_VALUE);
    assertThat(List.of(fields.parseLong(6), fields.parseLong(7), fields.parseLong(8)))
        .containsExactly(1_764_115_200_000L, Long.MAX_VALUE, Long.MIN_VALUE);
    // A non-ASCII digit (Arabic-Indic seven) is a digit to the JDK, and so here too.
    fields.split(bytes("\u0667"), 0, bytes("\u0667").length);
    assertThat(fields.parseInt(0)).isEqualTo(7);
  }

  @Test
  void notWholeNumbers_throwWhatIntegerParseIntThrows() {
    for (String bad : List.of("", "-", "+", "1.5", "1e3", "--1", "x", "2147483648", "1 2", "0x10")) {
      CsvFields fields = new CsvFields();
      fields.split(bytes(bad), 0, bytes(bad).length);
      assertThatThrownBy(() -> fields.parseInt(0)).as(bad).isInstanceOf(NumberFormatException.class);
    }
    CsvFields fields = new CsvFields();
    fields.split(bytes("9223372036854775808"), 0, 19);
    assertThatThrownBy(() -> fields.parseLong(0)).isInstanceOf(NumberFormatException.class);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> split(String line) {
    CsvFields fields = new CsvFields();
    byte[] bytes = bytes(line);
    fields.split(bytes, 0, bytes.length);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < fields.count(); i++) {
      values.add(fields.text(i));
    }
    return values;
  }
}
