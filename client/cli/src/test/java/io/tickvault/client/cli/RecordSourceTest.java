package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordSourceTest {
  @TempDir
  Path dir;

  @Test
  void tradeCsv_readsColumnsByHeaderInAnyOrder_quotesAndOptionalColumns() throws Exception {
    Path file = write("t.csv",
        "trade_id,exchange_id,currency_pair_no,price,quantity,taker_side,trade_time_ms",
        "\"a,1\",1,2,64250.5,0.001,buy,1700000000000",
        "",
        "b\"\"2,1,2,64251,0.5,,1700000000001");

    List<RecordSource.Line<Trade>> lines = readAll(new TradeCsvSource(file));

    assertThat(lines).hasSize(2);
    Trade first = lines.get(0).record();
    assertThat(lines.get(0).lineNumber()).isEqualTo(2);
    assertThat(first.getTradeId()).isEqualTo("a,1");
    assertThat(first.getExchangeId()).isEqualTo(1);
    assertThat(first.getCurrencyPairNo()).isEqualTo(2);
    assertThat(first.getPrice()).isEqualTo("64250.5");
    assertThat(first.getTakerSide()).isEqualTo(TradeSide.TRADE_SIDE_BUY);
    assertThat(first.getTradeTimeMs()).isEqualTo(1_700_000_000_000L);
    assertThat(lines.get(1).lineNumber()).isEqualTo(4);
    assertThat(lines.get(1).record().getTakerSide()).isEqualTo(TradeSide.TRADE_SIDE_UNSPECIFIED);
  }

  @Test
  void tradeCsv_unreadableLinesAreRefusedOnTheirOwn_withLineFieldAndReason() throws Exception {
    Path file = write("t.csv",
        "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms,receive_time_ms",
        "1,1,t1,1,1,SELL,1700000000000,",
        "x,1,t2,1,1,SELL,1700000000000,",
        "1,1,t3,1,1,SIDEWAYS,1700000000000,",
        "1,1,t4,1,1",
        "1,1,t5,1,1,TRADE_SIDE_SELL,1700000000000,1700000000005");

    List<RecordSource.Line<Trade>> lines = readAll(new TradeCsvSource(file));

    assertThat(lines).extracting(RecordSource.Line::lineNumber).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(lines.get(0).record()).isNotNull();
    assertThat(lines.get(1).record()).isNull();
    assertThat(lines.get(1).field()).isEqualTo("exchange_id");
    assertThat(lines.get(1).reason()).isEqualTo("not a whole number: 'x'");
    assertThat(lines.get(2).field()).isEqualTo("taker_side");
    assertThat(lines.get(2).reason()).isEqualTo("expected BUY, SELL or empty, got 'SIDEWAYS'");
    assertThat(lines.get(3).reason()).isEqualTo("expected 8 values as in the header, got 5");
    assertThat(lines.get(4).record().getReceiveTimeMs()).isEqualTo(1_700_000_000_005L);
  }

  @Test
  void tradeCsv_crlfBlankLinesAndQuotes_badLinesKeepTheirNumbers() throws Exception {
    byte[] text = ("exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms,receive_time_ms\r\n"
        + "1,2,\"a,\"\"1\"\"\", 64250.5 ,0.001,SELL,1700000000000,\r\n"
        + "\r\n"
        + "   \r\n"
        + "1,2,b,1,1,buy,170000000000x,\r\n"
        + "1,2,\"c\r\n" // a quoted line break is not supported: the line ends there, in quotes
        + "1,2,d,1,1,,1700000000001,1700000000002").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("crlf.csv"), text);

    List<RecordSource.Line<Trade>> lines = readAll(new TradeCsvSource(file));

    assertThat(lines).extracting(RecordSource.Line::lineNumber).containsExactly(2L, 5L, 6L, 7L);
    Trade first = lines.get(0).record();
    assertThat(first.getTradeId()).isEqualTo("a,\"1\"");
    assertThat(first.getPrice()).isEqualTo("64250.5");
    assertThat(first.getTakerSide()).isEqualTo(TradeSide.TRADE_SIDE_SELL);
    assertThat(first.getReceiveTimeMs()).isZero();
    assertThat(lines.get(1).record()).isNull();
    assertThat(lines.get(1).key()).isEqualTo("1/2/b");
    assertThat(lines.get(1).field()).isEqualTo("trade_time_ms");
    assertThat(lines.get(1).reason()).isEqualTo("not a whole number: '170000000000x'");
    assertThat(lines.get(2).reason()).isEqualTo("a quoted value is not closed on its line (a value cannot hold a line break)");
    assertThat(lines.get(3).record().getReceiveTimeMs()).isEqualTo(1_700_000_000_002L);
    assertThat(lines.get(3).record().getTakerSide()).isEqualTo(TradeSide.TRADE_SIDE_UNSPECIFIED);
  }

  @Test
  void tradeCsv_textThatIsNotUtf8_isRefusedOnItsOwn_utf8IsKept() throws Exception {
    byte[] head = "exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms\n1,1,".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] rest = ",1,1,1700000000000\n1,1,ünï-ç,1,1,1700000000000\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] text = new byte[head.length + 2 + rest.length];
    System.arraycopy(head, 0, text, 0, head.length);
    text[head.length] = 'x';
    text[head.length + 1] = (byte) 0xC3; // the first byte of a two-byte character, then a comma
    System.arraycopy(rest, 0, text, head.length + 2, rest.length);

    List<RecordSource.Line<Trade>> lines = readAll(new TradeCsvSource(Files.write(dir.resolve("latin.csv"), text)));

    assertThat(lines.get(0).record()).isNull();
    assertThat(lines.get(0).lineNumber()).isEqualTo(2);
    assertThat(lines.get(0).field()).isEqualTo("trade_id");
    assertThat(lines.get(0).reason()).isEqualTo("not valid UTF-8");
    assertThat(lines.get(1).record().getTradeId()).isEqualTo("ünï-ç");
  }

  @Test
  void tradeCsv_manyLines_acrossReadBuffers_allRead() throws Exception {
    List<String> text = new ArrayList<>(List.of("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms"));
    for (int i = 0; i < 20_000; i++) {
      text.add("1,1,t-" + i + ",100." + i + ",0.5," + (1_700_000_000_000L + i));
    }

    List<RecordSource.Line<Trade>> lines = readAll(new TradeCsvSource(Files.write(dir.resolve("many.csv"), text)));

    assertThat(lines).hasSize(20_000);
    for (int i = 0; i < lines.size(); i += 997) {
      Trade t = lines.get(i).record();
      assertThat(lines.get(i).lineNumber()).isEqualTo(i + 2);
      assertThat(t.getTradeId()).isEqualTo("t-" + i);
      assertThat(t.getPrice()).isEqualTo("100." + i);
      assertThat(t.getTradeTimeMs()).isEqualTo(1_700_000_000_000L + i);
    }
  }

  @Test
  void tradeCsv_headerWithUnknownOrMissingColumn_isAUsageError() throws Exception {
    assertThatThrownBy(() -> readAll(new TradeCsvSource(write("a.csv", "exchange_id,currency_pair_no,trade_id,price,qty,trade_time_ms"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown column 'qty'");
    assertThatThrownBy(() -> readAll(new TradeCsvSource(write("b.csv", "exchange_id,currency_pair_no,trade_id,price,quantity"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 'trade_time_ms' is missing");
  }

  @Test
  void jsonLines_parsesProtoJson_andRefusesBadLinesOnTheirOwn() throws Exception {
    Path file = write("b.jsonl",
        "{\"exchange_id\":1,\"currency_pair_no\":1,\"server_time_ms\":\"1700000000000\",\"sequence_id\":7,"
            + "\"bids\":[{\"price\":\"100\",\"quantity\":\"2\"}],\"asks\":[{\"price\":\"101\",\"quantity\":\"1\"}]}",
        "{\"exchangeId\":1,\"currencyPairNo\":1,\"serverTimeMs\":1700000000001}",
        "{\"exchange_id\":1,\"depth\":3}",
        "not json");

    List<RecordSource.Line<OrderBookSnapshot>> lines =
        readAll(new JsonLinesSource<OrderBookSnapshot>(file, OrderBookSnapshot::newBuilder));

    assertThat(lines.get(0).record().getSequenceId()).isEqualTo(7);
    assertThat(lines.get(0).record().getBids(0).getPrice()).isEqualTo("100");
    assertThat(lines.get(1).record().getServerTimeMs()).isEqualTo(1_700_000_000_001L);
    assertThat(lines.get(2).record().getExchangeId()).isEqualTo(1); // "depth" ignored, see below
    assertThat(lines.get(3).record()).isNull();
    assertThat(lines.get(3).reason()).startsWith("not a JSON OrderBookSnapshot");
    assertThat(lines.get(3).lineNumber()).isEqualTo(4);
  }

  @Test
  void jsonLines_unknownFieldIgnoredWithOneWarning_orRefusedWhenStrict() throws Exception {
    Path file = write("u.jsonl",
        "{\"exchange_id\":1,\"currency_pair_no\":1,\"trade_id\":\"a\",\"venue\":\"x\"}",
        "{\"exchange_id\":1,\"currency_pair_no\":1,\"trade_id\":\"b\",\"venue\":\"y\"}",
        "{\"exchange_id\":1,\"currency_pair_no\":1,\"trade_id\":\"c\",\"fee\":1}");

    JsonLinesSource<Trade> lenient = new JsonLinesSource<>(Input.open(file), Trade::newBuilder, false);
    List<RecordSource.Line<Trade>> lines = readAll(lenient);
    JsonLinesSource<Trade> strict = new JsonLinesSource<>(Input.open(file), Trade::newBuilder, true);
    List<RecordSource.Line<Trade>> refused = readAll(strict);

    assertThat(lines).extracting(l -> l.record().getTradeId()).containsExactly("a", "b", "c");
    assertThat(lenient.warnings()).containsExactly("warning: ignored fields that Trade does not have: "
        + "venue (first on line 1), fee (first on line 3); --strict refuses such lines");
    assertThat(refused).allSatisfy(l -> assertThat(l.record()).isNull());
    assertThat(refused.get(0).reason()).contains("venue");
  }

  @Test
  void tradeCsv_trimsAroundValuesButNotInsideQuotes_andRefusesAQuoteLeftOpen() throws Exception {
    Path file = write("t.csv",
        " exchange_id , currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms",
        " 1 ,\t2, plain id ,  1.50 ,2,BUY ,1700000000000",
        "1,2,  \" kept \"  ,1,1,,1700000000001",
        "1,2,\"broken,1,1,,1700000000002",
        "1,2,after,1,1,,1700000000003");

    List<RecordSource.Line<Trade>> lines = readAll(new TradeCsvSource(file));

    assertThat(lines).extracting(RecordSource.Line::lineNumber).containsExactly(2L, 3L, 4L, 5L);
    assertThat(lines.get(0).record().getTradeId()).isEqualTo("plain id");
    assertThat(lines.get(0).record().getPrice()).isEqualTo("1.50");
    assertThat(lines.get(0).record().getCurrencyPairNo()).isEqualTo(2);
    assertThat(lines.get(1).record().getTradeId()).isEqualTo(" kept ");
    assertThat(lines.get(2).record()).isNull();
    assertThat(lines.get(2).reason()).isEqualTo("a quoted value is not closed on its line (a value cannot hold a line break)");
    assertThat(lines.get(3).record().getTradeId()).isEqualTo("after");
    assertThatThrownBy(() -> readAll(new TradeCsvSource(write("h.csv", "\"exchange_id,currency_pair_no"))))
        .hasMessage("CSV header: a quoted name is not closed");
  }

  @Test
  void enumSpellings_areTheSameInCsvAndJson() throws Exception {
    Path csv = write("s.csv",
        "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms",
        "1,1,a,1,1,BUY,1", "1,1,b,1,1,TRADE_SIDE_SELL,1", "1,1,c,1,1,sell,1");
    Path json = write("s.jsonl",
        "{\"trade_id\":\"a\",\"taker_side\":\"BUY\"}",
        "{\"trade_id\":\"b\",\"takerSide\":\"TRADE_SIDE_SELL\"}",
        "{\"trade_id\":\"c\",\"taker_side\":\"sell\"}",
        "{\"trade_id\":\"d\",\"taker_side\":\"SIDEWAYS\"}");

    List<RecordSource.Line<Trade>> fromCsv = readAll(new TradeCsvSource(csv));
    List<RecordSource.Line<Trade>> fromJson = readAll(new JsonLinesSource<Trade>(json, Trade::newBuilder));

    List<TradeSide> expected = List.of(TradeSide.TRADE_SIDE_BUY, TradeSide.TRADE_SIDE_SELL, TradeSide.TRADE_SIDE_SELL);
    assertThat(fromCsv).extracting(l -> l.record().getTakerSide()).containsExactlyElementsOf(expected);
    assertThat(fromJson.subList(0, 3)).extracting(l -> l.record().getTakerSide()).containsExactlyElementsOf(expected);
    assertThat(fromJson.get(3).record()).isNull();
    assertThat(fromJson.get(3).reason()).contains("SIDEWAYS");
  }

  @Test
  void csv_camelCaseHeader_bom_andGzipAreRead() throws Exception {
    byte[] text = ("\uFEFFexchangeId,currencyPairNo,tradeId,price,quantity,takerSide,tradeTimeMs,receiveTimeMs\n"
        + "1,2,z,1.5,2,BUY,1700000000000,1700000000001\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path plain = Files.write(dir.resolve("bom.csv"), text);
    Path gz = dir.resolve("bom.csv.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(text);
    }

    for (Path file : List.of(plain, gz)) {
      List<RecordSource.Line<Trade>> lines = readAll(new TradeCsvSource(file));
      assertThat(lines).as(file.toString()).hasSize(1);
      assertThat(lines.get(0).record().getCurrencyPairNo()).isEqualTo(2);
      assertThat(lines.get(0).record().getReceiveTimeMs()).isEqualTo(1_700_000_000_001L);
    }
    assertThat(Input.formatOf("bom.csv.gz")).isEqualTo(IngestCommand.Format.csv);
    assertThat(Input.formatOf("x.ndjson")).isEqualTo(IngestCommand.Format.jsonl);
    assertThat(Input.formatOf("x.txt")).isNull();
  }

  @Test
  void dash_readsStandardInput() throws Exception {
    byte[] text = "{\"trade_id\":\"s\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    Input input = Input.open("-", new java.io.ByteArrayInputStream(text));
    List<RecordSource.Line<Trade>> lines = readAll(new JsonLinesSource<>(input, Trade::newBuilder, false));

    assertThat(input.name()).isEqualTo("-");
    assertThat(input.totalBytes()).isEqualTo(-1);
    assertThat(lines).extracting(l -> l.record().getTradeId()).containsExactly("s");
  }

  @Test
  void missingFile_isAUsageError() {
    assertThatThrownBy(() -> new TradeCsvSource(dir.resolve("nope.csv")))
        .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("no such file");
    assertThat(ExitCodes.of(new java.io.UncheckedIOException(new java.io.IOException("x")))).isEqualTo(ExitCodes.USAGE);
  }

  private Path write(String name, String... lines) throws Exception {
    return Files.write(dir.resolve(name), List.of(lines));
  }

  private static <R> List<RecordSource.Line<R>> readAll(RecordSource<R> source) throws Exception {
    List<RecordSource.Line<R>> lines = new ArrayList<>();
    try (source) {
      for (RecordSource.Line<R> line = source.next(); line != null; line = source.next()) {
        lines.add(line);
      }
    }
    return lines;
  }
}
