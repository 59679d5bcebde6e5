package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code tickvault ingest} on files that are broken or hostile: a truncated gzip, lines of
 * gigabytes, binary content. In-JVM against a real server and PostgreSQL.
 */
class IngestBadInputIT extends CliAgainstServer {
  private static final String HEADER = "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms\n";

  @BeforeEach
  void registerBinanceBtcUsdt() {
    cli.registerBinanceBtcUsdt();
  }

  @Test
  void aTruncatedGzip_commitsWhatCameBefore_saysHowManyAndTheSkip_exit8_andTheSkipResumesExactlyOnce() throws Exception {
    int trades = 50_000;
    StringBuilder csv = new StringBuilder(HEADER);
    for (int i = 0; i < trades; i++) {
      csv.append("1,1,g-").append(i).append(",64250.5,0.01,BUY,").append(1764115200000L + i).append('\n');
    }
    byte[] whole = gzip(csv.toString().getBytes(StandardCharsets.US_ASCII));
    Path truncated = Files.write(dir.resolve("trades.csv.gz"), Arrays.copyOf(whole, whole.length * 9 / 10));

    Cli.Result cut = cli.run("ingest", "trades", truncated.toString());

    assertThat(cut.exitCode()).as(cut.toString()).isEqualTo(ExitCodes.PARTLY_SENT).isEqualTo(8);
    long committed = count("trades");
    assertThat(committed).isBetween(trades / 2L, trades - 1L);
    long stoppedAt = committed + 2; // the header is line 1, the trades follow it
    assertThat(cut.out()).isEqualTo(String.format("trades.csv.gz: read %d, inserted %d, duplicates 0, rejected 0, "
        + "stopped at line %d (cannot be read)%n", committed, committed, stoppedAt));
    assertThat(cut.err()).endsWith(String.format(java.util.Locale.ROOT, "stopped at line %d, which cannot be read "
        + "(Unexpected end of ZLIB input stream): %,d of %,d trades committed; rerun with --skip %d to resume "
        + "(or rerun as is: committed trades count as duplicates)%n", stoppedAt, committed, committed, committed));

    // The same cut file with the hint sends nothing more and says the same, as one object with -o json.
    Cli.Result again = cli.run("ingest", "trades", truncated.toString(), "--skip", String.valueOf(committed), "-o", "json");
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCodes.PARTLY_SENT);
    assertThat(again.out()).contains("\"read\":" + committed + ",\"skipped\":" + committed + ",\"sent\":0,\"inserted\":0,")
        .contains("\"stopped_at_line\":" + stoppedAt + ",\"stop_reason\":\"Unexpected end of ZLIB input stream\","
            + "\"resume_skip\":" + committed + "}");

    // The whole file, fetched again, resumed with the hint: every trade stored once, none sent twice.
    Path complete = Files.write(dir.resolve("complete.csv.gz"), whole);
    Cli.Result resumed = cli.run("ingest", "trades", complete.toString(), "--skip", String.valueOf(committed));
    assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
    assertThat(resumed.out()).isEqualTo(String.format("complete.csv.gz: read %d, inserted %d, duplicates 0, rejected 0, "
        + "skipped %d%n", trades, trades - committed, committed));
    assertThat(count("trades")).isEqualTo(trades);
  }

  @Test
  void aLineOfAGigabyteAmongValidRows_isRejectedWithItsNumber_andTheRowsAroundItAreStored() throws Exception {
    long huge = 1L << 30;
    Path file = dir.resolve("huge.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 64 * 1024) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    }) {
      out.write((HEADER + "1,1,h-1,1,1,BUY,1764115200000\n1,1,h-2,1,1,BUY,1764115200000\n1,1,").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) 'z');
      for (long written = 0; written < huge; written += chunk.length) {
        out.write(chunk); // a trade id of a gigabyte: line 4
      }
      out.write((",1,1,BUY,1764115200000\n1,1,h-3,1,1,BUY,1764115200000\n1,1," + "w".repeat(100_000)
          + ",1,1,SELL,1764115200000\n1,1,h-4,1,1,BUY,1764115200000\n").getBytes(StandardCharsets.US_ASCII));
    }

    Cli.Result result = cli.run("ingest", "trades", file.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.RECORDS_REJECTED);
    assertThat(result.out().lines()).containsExactly(
        "huge.csv.gz: read 6, inserted 4, duplicates 0, rejected 2",
        "(2 of the rejected lines could not be read and were not sent)",
        "rejected line 4: the line is 1,073,741,850 bytes, longer than the 65,536 a line may have",
        "rejected line 6: the line is 100,027 bytes, longer than the 65,536 a line may have");
    assertThat(tradeIds()).containsExactly("h-1", "h-2", "h-3", "h-4");
  }

  @Test
  void binaryOrHostileInput_isShownEscapedAndShort() throws Exception {
    byte[] binary = new byte[2 << 20];
    new Random(1).nextBytes(binary);
    for (int i = 0; i < binary.length; i++) {
      if (binary[i] == '"' || binary[i] == '\n' || binary[i] == '\r' || binary[i] == ',') {
        binary[i] = 'q'; // one line, one column: all of it would be the header's unknown name
      }
    }
    System.arraycopy("q\u001b[2J".getBytes(StandardCharsets.US_ASCII), 0, binary, 10, 5);
    Path bin = Files.write(dir.resolve("export.csv"), Arrays.copyOf(binary, 60_000));
    Path oneLine = Files.write(dir.resolve("one-line.csv"), "x".repeat(30 << 20).getBytes(StandardCharsets.US_ASCII));
    Path rows = Files.write(dir.resolve("rows.csv"), (HEADER
        + "1,1,e\u001b[2J,6\u001b]0;owned\u0007x,1,BUY,1764115200000\n"
        + "1\u001b[31m,1,e-2,1,1,BUY,1764115200000\n").getBytes(StandardCharsets.UTF_8));

    Cli.Result binaryResult = cli.run("ingest", "trades", bin.toString());
    Cli.Result oneLineResult = cli.run("ingest", "trades", oneLine.toString());
    Cli.Result rowsResult = cli.run("ingest", "trades", rows.toString());

    assertThat(binaryResult.exitCode()).as(binaryResult.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(binaryResult.err()).startsWith("tickvault: CSV header: unknown column '").contains("\\x1b[2J")
        .containsPattern("\\.\\.\\. \\([0-9,]+ bytes\\)'; the columns are ").hasSizeLessThan(700);
    assertThat(oneLineResult.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(oneLineResult.err()).isEqualTo("tickvault: CSV header (line 1): the line is 31,457,280 bytes, longer "
        + "than the 65,536 a line may have; is this a CSV file of trades?\n");
    assertThat(rowsResult.exitCode()).as(rowsResult.toString()).isEqualTo(ExitCodes.RECORDS_REJECTED);
    assertThat(rowsResult.out().lines()).containsExactly(
        "rows.csv: read 2, inserted 0, duplicates 0, rejected 2",
        "(1 of the rejected lines could not be read and were not sent)",
        "rejected line 2 (1/1/e\\x1b[2J): price: must be a plain decimal (digits and at most one '.', no sign or "
            + "exponent), got '6\\x1b]0;owned\\x07x'",
        "rejected line 3 (0/0/): exchange_id: not a whole number: '1\\x1b[31m'");
    for (Cli.Result result : List.of(binaryResult, oneLineResult, rowsResult)) {
      assertThat((result.out() + result.err()).chars().filter(c -> c < 0x20 && c != '\n' || c == 0x7f || (c >= 0x80 && c < 0xa0)))
          .as("control characters in %s", result).isEmpty();
    }
  }

  private static byte[] gzip(byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    }
    return bytes.toByteArray();
  }

  private static long count(String table) {
    return server.database().jdbc().queryOne("SELECT count(*) FROM " + table, rs -> rs.getLong(1)).orElseThrow();
  }

  private List<String> tradeIds() {
    return server.database().jdbc().query("SELECT trade_id FROM trades ORDER BY trade_id", rs -> rs.getString(1));
  }
}
