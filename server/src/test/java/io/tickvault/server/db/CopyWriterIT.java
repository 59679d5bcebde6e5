package io.tickvault.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What CopyWriter writes is what PostgreSQL stores: numbers at every length, escaped text, NULL. */
class CopyWriterIT {
  @RegisterExtension
  static TestDatabase db = new TestDatabase();

  @Test
  void numbersOfEveryLengthAndSign_textAndNull_areStoredAsWritten() throws Exception {
    List<Long> numbers = new ArrayList<>(List.of(0L, 1L, 9L, 10L, 99L, 100L, 101L, 1_764_000_000_123L,
        Long.MAX_VALUE, Long.MIN_VALUE, -1L, -10L, -1_234_567L));
    for (long p = 10; p > 0 && p <= Long.MAX_VALUE / 10; p *= 10) {
      numbers.add(p - 1); // 9, 99, 999 ... : one digit short of the next power
      numbers.add(p);
      numbers.add(p + 1);
    }
    List<String> texts = List.of("plain", "tab\\there", "new\nline", "back\\\\slash", "ünï 🚀", "");
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE copied (n bigint, t text)");
      try (CopyWriter copy = CopyWriter.start(c, "COPY copied (n, t) FROM STDIN")) {
        for (int i = 0; i < numbers.size(); i++) {
          copy.number(numbers.get(i)).text(texts.get(i % texts.size())).endRow();
        }
        copy.number(42).nullValue().endRow();
        assertThat(copy.finish()).isEqualTo(numbers.size() + 1);
      }
      List<Long> storedNumbers = new ArrayList<>();
      List<String> storedTexts = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT n, t FROM copied")) {
        while (rs.next()) {
          storedNumbers.add(rs.getLong(1));
          storedTexts.add(rs.getString(2));
        }
      }
      List<Long> expectedNumbers = new ArrayList<>(numbers);
      expectedNumbers.add(42L);
      assertThat(storedNumbers).containsExactlyElementsOf(expectedNumbers);
      for (int i = 0; i < numbers.size(); i++) {
        assertThat(storedTexts.get(i)).isEqualTo(texts.get(i % texts.size()));
      }
      assertThat(storedTexts.get(numbers.size())).isNull();
    }
  }

  @Test
  void encodedColumns_leadOrFollowOtherColumns_acrossManyBufferFlushes() throws Exception {
    CopyWriter.Columns key = CopyWriter.numbers(7, -12, Long.MAX_VALUE, 1);
    CopyWriter.Columns tail = CopyWriter.numbers(Long.MIN_VALUE);
    int rows = 20_000; // about 1 MiB: many 64 KiB buffers
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE keyed (a int, b int, c bigint, d smallint, i int, e bigint)");
      try (CopyWriter copy = CopyWriter.start(c, "COPY keyed (a, b, c, d, i, e) FROM STDIN")) {
        for (int i = 0; i < rows; i++) {
          copy.columns(key).number(i).columns(tail).endRow();
        }
        assertThat(copy.finish()).isEqualTo(rows);
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*), min(i), max(i), count(DISTINCT (a, b, c, d, e)),"
          + " min(a), min(b), min(c), min(d), min(e) FROM keyed")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(rows);
        assertThat(rs.getInt(2)).isZero();
        assertThat(rs.getInt(3)).isEqualTo(rows - 1);
        assertThat(rs.getLong(4)).isEqualTo(1);
        assertThat(rs.getInt(5)).isEqualTo(7);
        assertThat(rs.getInt(6)).isEqualTo(-12);
        assertThat(rs.getLong(7)).isEqualTo(Long.MAX_VALUE);
        assertThat(rs.getShort(8)).isEqualTo((short) 1);
        assertThat(rs.getLong(9)).isEqualTo(Long.MIN_VALUE);
      }
    }
  }
}
