package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvLinesTest {
  @TempDir
  Path dir;

  @Test
  void tradesWrittenAsCsv_areReadBackByIngestsCsvReader_fieldForField() throws Exception {
    List<Trade> trades = List.of(
        Trade.newBuilder().setExchangeId(1).setCurrencyPairNo(2).setTradeId("plain-1").setPrice("12.30")
            .setQuantity("0.000100").setTakerSide(TradeSide.TRADE_SIDE_BUY).setTradeTimeMs(1_764_115_200_000L)
            .setReceiveTimeMs(1_764_115_200_003L).build(),
        Trade.newBuilder().setExchangeId(32_767).setCurrencyPairNo(1).setTradeId("with,comma and \"quotes\"")
            .setPrice("99999999999999999999.000000000000000001").setQuantity("1").setTakerSide(TradeSide.TRADE_SIDE_SELL)
            .setTradeTimeMs(1_262_304_000_000L).setReceiveTimeMs(1_262_304_000_001L).build(),
        Trade.newBuilder().setExchangeId(3).setCurrencyPairNo(4).setTradeId("no-side").setPrice("0.5").setQuantity("7")
            .setTradeTimeMs(1_764_115_200_005L).build(),
        // Spaces and tabs around an id are kept: written in quotes, which the reader does not trim.
        trade(" spaced\t"), trade("\t"), trade(" "), trade("in side\tkept"), trade("\"only-quotes\""));
    List<String> lines = new ArrayList<>(List.of(CsvLines.TRADE_HEADER));
    for (Trade trade : trades) {
      StringBuilder line = new StringBuilder();
      CsvLines.trade(line, trade);
      lines.add(line.toString());
    }

    List<Trade> back = new ArrayList<>();
    try (TradeCsvSource source = new TradeCsvSource(Files.write(dir.resolve("read.csv"), lines))) {
      for (RecordSource.Line<Trade> line = source.next(); line != null; line = source.next()) {
        assertThat(line.reason()).as("line %d", line.lineNumber()).isNull();
        back.add(line.record());
      }
    }

    assertThat(back).containsExactlyElementsOf(trades);
    assertThat(lines.get(1)).isEqualTo("1,2,plain-1,12.30,0.000100,BUY,1764115200000,1764115200003");
    assertThat(lines.get(2)).isEqualTo("32767,1,\"with,comma and \"\"quotes\"\"\",99999999999999999999.000000000000000001,1,SELL,1262304000000,1262304000001");
    assertThat(lines.get(3)).isEqualTo("3,4,no-side,0.5,7,,1764115200005,");
    assertThat(lines.subList(4, 9)).containsExactly(
        "1,1,\" spaced\t\",1,1,,1764115200009,",
        "1,1,\"\t\",1,1,,1764115200009,",
        "1,1,\" \",1,1,,1764115200009,",
        "1,1,in side\tkept,1,1,,1764115200009,",
        "1,1,\"\"\"only-quotes\"\"\",1,1,,1764115200009,");
  }

  @Test
  void tradeIdWithALineBreak_isRefused_sinceIngestReadsOneRecordALine() {
    for (String id : List.of("a\nb", "a\rb", "a\r\n")) {
      assertThatThrownBy(() -> CsvLines.trade(new StringBuilder(), trade(id).toBuilder().setTradeTimeMs(1_764_115_200_077L).build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("-o csv: trade 1/1 at 1764115200077 has a line break in its trade_id, which CSV cannot carry so that "
              + "'ingest trades' reads it back; use -o jsonl");
    }
  }

  private static Trade trade(String id) {
    return Trade.newBuilder().setExchangeId(1).setCurrencyPairNo(1).setTradeId(id).setPrice("1").setQuantity("1")
        .setTradeTimeMs(1_764_115_200_009L).build();
  }

  @Test
  void candle_columnsInHeaderOrder() {
    StringBuilder line = new StringBuilder();
    CsvLines.candle(line, Candle.newBuilder().setOpenTimeMs(60_000).setOpen("1.10").setHigh("2").setLow("1.05")
        .setClose("1.5").setVolume("3.000").setQuoteVolume("4.6500").setTradeCount(3).build());

    assertThat(CsvLines.CANDLE_HEADER).isEqualTo("open_time_ms,open,high,low,close,volume,quote_volume,trade_count");
    assertThat(line).hasToString("60000,1.10,2,1.05,1.5,3.000,4.6500,3");
  }
}
