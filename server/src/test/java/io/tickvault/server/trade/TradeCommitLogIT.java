package io.tickvault.server.trade;

import static io.tickvault.server.trade.TradeCalls.TIME;
import static io.tickvault.server.trade.TradeCalls.ingest;
import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Trade;
import io.tickvault.server.subscribe.CommitLog;
import io.tickvault.server.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the trades' commit log gives back of each transaction: exactly the trades it inserted, named
 * by its transaction when they are close in time (never another transaction's trades of the same
 * times, never a duplicate it refused), held in the entry when they are far apart.
 */
class TradeCommitLogIT {
  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  @BeforeEach
  void setUp() {
    server.database().truncate("trades", "trade_candles_1m", "trade_commit_log", "market_commit_seq");
    registerMarket(server.channel(), 1, 1);
  }

  @Test
  void entriesNameTheirTransactionsTrades_exactly_amongOtherTransactionsTradesOfTheSameTimes() throws Exception {
    List<Trade> first = List.of(at("a-1", TIME), at("a-2", TIME + 1_000), at("a-3", TIME + 2_000));
    // Interleaved in time with the first, and one of the first's again: refused, so not in this entry.
    List<Trade> second = List.of(at("b-1", TIME + 500), at("a-1", TIME), at("b-2", TIME + 1_500));
    assertThat(ingest(server.channel(), List.of(first)).getInserted()).isEqualTo(3);
    assertThat(ingest(server.channel(), List.of(second)).getInserted()).isEqualTo(2);

    assertThat(server.database().jdbc().query("SELECT trades IS NULL, tx IS NOT NULL FROM trade_commit_log",
        row -> row.getBoolean(1) && row.getBoolean(2))).containsExactly(true, true);
    List<CommitLog.Entry<Trade>> entries = entries();
    assertThat(entries).extracting(CommitLog.Entry::seq).containsExactly(1L, 2L);
    assertThat(entries.get(0).items()).extracting(Trade::getTradeId).containsExactly("a-1", "a-2", "a-3");
    assertThat(entries.get(1).items()).extracting(Trade::getTradeId).containsExactly("b-1", "b-2");
    assertThat(entries.get(0).items().get(1)).isEqualTo(first.get(1)); // as stored, every field
  }

  @Test
  void tradesFarApartInTime_areHeldInTheEntry() throws Exception {
    List<Trade> scattered = List.of(at("c-1", TIME - 3_600_000), at("c-2", TIME), at("c-3", TIME - 60_000));
    assertThat(ingest(server.channel(), List.of(scattered)).getInserted()).isEqualTo(3);

    assertThat(server.database().jdbc().query("SELECT trades IS NOT NULL, tx IS NULL FROM trade_commit_log",
        row -> row.getBoolean(1) && row.getBoolean(2))).containsExactly(true);
    assertThat(entries()).singleElement().satisfies(e ->
        assertThat(e.items()).extracting(Trade::getTradeId).containsExactlyInAnyOrder("c-1", "c-2", "c-3"));
  }

  private static List<CommitLog.Entry<Trade>> entries() {
    return server.database().jdbc().withConnection(c -> TradeCommitLog.entries(c, new int[] {1}, new int[] {1},
        new long[] {0}, new long[] {Long.MAX_VALUE}, 10));
  }

  private static Trade at(String id, long timeMs) {
    return TradeCalls.trade(1, 1, id, "100.5", "2").toBuilder().setTradeTimeMs(timeMs).build();
  }
}
