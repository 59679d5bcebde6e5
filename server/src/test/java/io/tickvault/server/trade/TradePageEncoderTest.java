package io.tickvault.server.trade;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TradePageEncoderTest {
  private static Trade trade(String id, String price, String quantity, TradeSide side, long time, long received) {
    return Trade.newBuilder().setExchangeId(300).setCurrencyPairNo(70_000).setTradeId(id).setPrice(price)
        .setQuantity(quantity).setTakerSide(side).setTradeTimeMs(time).setReceiveTimeMs(received).build();
  }

  private static void add(TradePageEncoder page, Trade t) {
    page.add(t.getTradeId().getBytes(StandardCharsets.UTF_8), t.getPrice().getBytes(StandardCharsets.UTF_8),
        t.getQuantity().getBytes(StandardCharsets.UTF_8), t.getTakerSideValue(), t.getTradeTimeMs(), t.getReceiveTimeMs());
  }

  @Test
  void encodesTheBytesProtobufWouldForTheSameTrades() {
    List<Trade> trades = List.of(
        trade("1", "12.30", "0.000000010", TradeSide.TRADE_SIDE_BUY, 1_700_000_000_000L, 1_700_000_000_005L),
        trade("ünï-çødé 🚀", "99999999999999999999.999999999999999999", "1", TradeSide.TRADE_SIDE_SELL, 1_700_000_000_001L, 0),
        trade("x".repeat(64), "0.1", "5", TradeSide.TRADE_SIDE_UNSPECIFIED, 1_700_000_000_002L, 1_700_000_000_002L));
    TradePageEncoder page = new TradePageEncoder(300, 70_000, 10);
    trades.forEach(t -> add(page, t));

    byte[] encoded = page.finish("a-token").toByteArray();

    ReadTradesResponse expected = ReadTradesResponse.newBuilder().addAllTrades(trades).setNextPageToken("a-token").build();
    assertThat(encoded).isEqualTo(expected.toByteArray());
    assertThat(page.count()).isEqualTo(3);
    assertThat(page.lastTime()).isEqualTo(1_700_000_000_002L);
    assertThat(page.lastTradeId()).isEqualTo("x".repeat(64));
  }

  @Test
  void retainedFrom_isEncodedAfterTheToken_asProtobufWould() throws Exception {
    Trade t = trade("7", "1", "2", TradeSide.TRADE_SIDE_BUY, 1_700_000_000_000L, 0);
    TradePageEncoder page = new TradePageEncoder(300, 70_000, 10);
    add(page, t);
    assertThat(page.finish("tok", 1_699_000_000_000L).toByteArray()).isEqualTo(ReadTradesResponse.newBuilder()
        .addTrades(t).setNextPageToken("tok").setRetainedFromMs(1_699_000_000_000L).build().toByteArray());
    assertThat(new TradePageEncoder(1, 1, 10).finish("", 5).toByteArray())
        .isEqualTo(ReadTradesResponse.newBuilder().setRetainedFromMs(5).build().toByteArray());
  }

  @Test
  void theLastPageHasNoTokenAndAnEmptyPageIsAnEmptyMessage() throws Exception {
    TradePageEncoder empty = new TradePageEncoder(1, 1, 10);
    assertThat(empty.finish("").length()).isZero();

    Trade t = trade("7", "1", "2", TradeSide.TRADE_SIDE_BUY, 1_700_000_000_000L, 0);
    TradePageEncoder page = new TradePageEncoder(300, 70_000, 10);
    add(page, t);
    assertThat(ReadTradesResponse.parseFrom(page.finish("").toByteArray()))
        .isEqualTo(ReadTradesResponse.newBuilder().addTrades(t).build());
  }

  @Test
  void varintsOfEveryLength_andNegativeNumbers_encodeAsProtobufDoes() {
    // Market ids and times at each varint length (1 to 10 bytes), negative ones as int32/int64
    // sign-extended: nothing stored has them, but the encoding must not depend on that.
    long[] values = {1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 1_700_000_000_000L, Long.MAX_VALUE, -1, Long.MIN_VALUE};
    for (long v : values) {
      int id = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
      Trade t = Trade.newBuilder().setExchangeId(id).setCurrencyPairNo(id).setTradeId("t").setPrice("1").setQuantity("2")
          .setTakerSide(TradeSide.TRADE_SIDE_SELL).setTradeTimeMs(v).setReceiveTimeMs(v).build();
      TradePageEncoder page = new TradePageEncoder(id, id, 1);
      add(page, t);
      assertThat(page.finish("").toByteArray()).as("value %d", v)
          .isEqualTo(ReadTradesResponse.newBuilder().addTrades(t).build().toByteArray());
    }
  }

  @Test
  void growsPastItsFirstBufferWithoutLosingAByte() throws Exception {
    // The buffer starts at 64 bytes a trade: long ids and decimals outgrow it several times over.
    List<Trade> trades = new ArrayList<>();
    TradePageEncoder page = new TradePageEncoder(300, 70_000, 5);
    for (int i = 0; i < 5_000; i++) {
      Trade t = trade("id-" + "0".repeat(200) + i, "1234567890123456789.123456789012345678", "0." + i,
          TradeSide.forNumber(i % 3), 1_700_000_000_000L + i, 1_700_000_000_000L + 2L * i);
      trades.add(t);
      add(page, t);
    }
    assertThat(ReadTradesResponse.parseFrom(page.finish("next").toByteArray()))
        .isEqualTo(ReadTradesResponse.newBuilder().addAllTrades(trades).setNextPageToken("next").build());
  }
}
