package io.tickvault.server.orderbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.client.OrderBookStreamWriter;
import io.tickvault.server.db.Jdbc;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** Test helpers for order books: make snapshots, send them with the real client, check the tables. */
final class OrderBookCalls {
  /** A fixed time for snapshots, well in the past of any clock a test runs with. */
  static final long TIME = 1_764_000_000_000L;

  private OrderBookCalls() {}

  static void registerMarket(Channel channel, int exchangeId, int... pairs) {
    MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(channel);
    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(exchangeId).setCode("ex" + exchangeId).build());
    for (int pair : pairs) {
      markets.putCurrencyPair(PutCurrencyPairRequest.newBuilder()
          .setExchangeId(exchangeId).setCurrencyPairNo(pair).setBaseCurrency("BTC").setQuoteCurrency("USDT").build());
    }
  }

  /**
   * Snapshot {@code n} of market 1/1: key (1, 1, TIME + n, n), {@code depth} levels a side, prices
   * and quantities derived from n so that every snapshot's book is different.
   */
  static OrderBookSnapshot snapshot(long n, int depth) {
    OrderBookSnapshot.Builder s = OrderBookSnapshot.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setServerTimeMs(TIME + n).setSequenceId(n).setReceiveTimeMs(TIME + n + 2);
    long mid = 6_400_000 + (n * 7919) % 100_000;
    for (int i = 0; i < depth; i++) {
      s.addBids(level(BigDecimal.valueOf(mid - 1 - 3L * i, 2).toPlainString(), "0." + (1000 + (n + i) % 9000)));
      s.addAsks(level(BigDecimal.valueOf(mid + 1 + 3L * i, 2).toPlainString(), (1 + (n * i) % 50) + ".5"));
    }
    return s.build();
  }

  static List<OrderBookSnapshot> snapshots(long from, long to, int depth) {
    List<OrderBookSnapshot> snapshots = new ArrayList<>();
    for (long n = from; n < to; n++) {
      snapshots.add(snapshot(n, depth));
    }
    return snapshots;
  }

  static PriceLevel level(String price, String quantity) {
    return PriceLevel.newBuilder().setPrice(price).setQuantity(quantity).build();
  }

  /** IngestOrderBooks through the Java client; the summary, or the call's error as thrown. */
  static IngestOrderBooksResponse ingest(Channel channel, List<OrderBookSnapshot> snapshots) throws InterruptedException {
    try (OrderBookStreamWriter writer = OrderBookStreamWriter.open(channel)) {
      for (OrderBookSnapshot snapshot : snapshots) {
        writer.write(snapshot);
      }
      return writer.finish();
    }
  }

  /** Headers whose stored level rows differ from bid_count + ask_count (none, ever). */
  static long headersWithoutTheirLevels(Jdbc jdbc) {
    return jdbc.queryOne("""
            SELECT count(*) FROM orderbook_snapshots h
            WHERE h.bid_count + h.ask_count <> (SELECT count(*) FROM orderbook_levels l
                WHERE (l.exchange_id, l.currency_pair_no, l.snapshot_id) = (h.exchange_id, h.currency_pair_no, h.snapshot_id))
            """, r -> r.getLong(1)).orElseThrow();
  }

  /** Level rows whose header is not stored (none, ever). */
  static long levelsWithoutHeader(Jdbc jdbc) {
    return jdbc.queryOne("""
            SELECT count(*) FROM orderbook_levels l
            WHERE NOT EXISTS (SELECT 1 FROM orderbook_snapshots h
                WHERE (h.exchange_id, h.currency_pair_no, h.snapshot_id) = (l.exchange_id, l.currency_pair_no, l.snapshot_id))
            """, r -> r.getLong(1)).orElseThrow();
  }

  /**
   * Asserts that exactly these snapshots are stored, each once, each with exactly its own levels:
   * every level row is compared, as text, with what was sent.
   */
  static void assertStoredExactly(Jdbc jdbc, List<OrderBookSnapshot> expected) {
    assertThat(headersWithoutTheirLevels(jdbc)).as("headers without their levels").isZero();
    assertThat(levelsWithoutHeader(jdbc)).as("levels without a header").isZero();
    List<String> rows = new ArrayList<>();
    for (OrderBookSnapshot s : expected.stream().sorted(java.util.Comparator
        .comparingInt(OrderBookSnapshot::getExchangeId).thenComparingInt(OrderBookSnapshot::getCurrencyPairNo)
        .thenComparingLong(OrderBookSnapshot::getServerTimeMs).thenComparingLong(OrderBookSnapshot::getSequenceId)).toList()) {
      String key = s.getExchangeId() + "/" + s.getCurrencyPairNo() + "/" + s.getServerTimeMs() + "/" + s.getSequenceId();
      rows.add(key + " header " + s.getBidsCount() + " " + s.getAsksCount());
      for (int i = 0; i < s.getBidsCount(); i++) {
        rows.add(key + " 1 " + i + " " + s.getBids(i).getPrice() + " " + s.getBids(i).getQuantity());
      }
      for (int i = 0; i < s.getAsksCount(); i++) {
        rows.add(key + " 2 " + i + " " + s.getAsks(i).getPrice() + " " + s.getAsks(i).getQuantity());
      }
    }
    List<String> stored = jdbc.query("""
            SELECT h.exchange_id || '/' || h.currency_pair_no || '/' || h.server_time_ms || '/' || h.sequence_id,
                   NULL::int, NULL::int, 'header ' || h.bid_count || ' ' || h.ask_count,
                   h.exchange_id, h.currency_pair_no, h.server_time_ms, h.sequence_id
            FROM orderbook_snapshots h
            UNION ALL
            SELECT h.exchange_id || '/' || h.currency_pair_no || '/' || h.server_time_ms || '/' || h.sequence_id,
                   l.side, l.level_index, l.price::text || ' ' || l.quantity::text,
                   h.exchange_id, h.currency_pair_no, h.server_time_ms, h.sequence_id
            FROM orderbook_levels l JOIN orderbook_snapshots h USING (exchange_id, currency_pair_no, snapshot_id)
            ORDER BY 5, 6, 7, 8, 2 NULLS FIRST, 3
            """,
        r -> r.getString(1) + (r.getObject(2) == null ? " " : " " + r.getInt(2) + " " + r.getInt(3) + " ") + r.getString(4));
    assertThat(stored).containsExactlyElementsOf(rows);
  }
}
