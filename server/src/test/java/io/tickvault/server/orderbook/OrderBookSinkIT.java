package io.tickvault.server.orderbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.server.db.DataAccessException;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.db.PlainDecimalTest;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.market.MarketRepository;
import io.tickvault.server.testing.TestDatabase;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link OrderBookSink} and {@link OrderBookRepository} against a real PostgreSQL: what they store, what they refuse, and how. */
class OrderBookSinkIT {
  private static final long NOW = 1_764_000_000_000L;
  /** Snapshots' server times are TIME + n: plausible exchange times, before NOW. */
  private static final long TIME = 1_700_000_000_000L;

  @RegisterExtension
  static TestDatabase db = new TestDatabase();

  private OrderBookSink sink;

  @BeforeAll
  static void registerMarkets() {
    MarketRepository markets = new MarketRepository(db.jdbc());
    markets.putExchange(1, "binance");
    markets.putCurrencyPair(1, 1, "BTC", "USDT");
    markets.putCurrencyPair(1, 2, "ETH", "USDT");
  }

  @BeforeEach
  void setUp() {
    db.truncate("orderbook_snapshots", "orderbook_levels");
    sink = newSink(db.jdbc(), 5);
  }

  private static OrderBookSink newSink(Jdbc jdbc, int maxLevels) {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    return new OrderBookSink(new KnownMarkets(new MarketRepository(db.jdbc()), clock), new OrderBookRepository(jdbc, new OrderBookCommitLog(commits -> { })),
        maxLevels, clock);
  }

  @Test
  void write_storesTheHeaderAndOneRowPerLevel_bestFirst() {
    OrderBookSnapshot s = snapshot(1, 1, TIME + 1000, 7)
        .addBids(level("64250.5", "0.12")).addBids(level("64250", "3"))
        .addAsks(level("64251", "0.00001234")).addAsks(level("64260.10", "1.50")).addAsks(level("64300", "2"))
        .setReceiveTimeMs(TIME + 1001)
        .build();

    assertThat(sink.write(List.of(s))).containsExactly(true);

    assertThat(db.jdbc().query("""
            SELECT exchange_id, currency_pair_no, server_time_ms, sequence_id, receive_time_ms, bid_count, ask_count
            FROM orderbook_snapshots""",
        r -> List.of(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5), r.getLong(6), r.getLong(7))))
        .containsExactly(List.of(1L, 1L, TIME + 1000, 7L, TIME + 1001, 2L, 3L));
    assertThat(levels()).containsExactly(
        "1 0 64250.5 0.12", "1 1 64250 3",
        "2 0 64251 0.00001234", "2 1 64260.10 1.50", "2 2 64300 2");
  }

  @Test
  void replayingABatch_insertsNothing_andTheFirstWriteStands() {
    OrderBookSnapshot first = snapshot(1, 1, TIME + 1000, 1).addBids(level("10", "1")).build();
    OrderBookSnapshot other = snapshot(1, 2, TIME + 1000, 1).addAsks(level("20", "2")).build();
    assertThat(sink.write(List.of(first, other))).containsExactly(true, true);

    OrderBookSnapshot sameKeyOtherBook = snapshot(1, 1, TIME + 1000, 1).addBids(level("11", "5")).addBids(level("9", "1")).build();
    OrderBookSnapshot fresh = snapshot(1, 1, TIME + 1000, 2).addBids(level("12", "1")).build();

    assertThat(sink.write(List.of(sameKeyOtherBook, other, fresh))).containsExactly(false, false, true);
    assertThat(db.jdbc().queryOne("SELECT count(*) FROM orderbook_snapshots", r -> r.getInt(1))).contains(3);
    assertThat(levels()).containsExactly("1 0 10 1", "2 0 20 2", "1 0 12 1");
  }

  @Test
  void aKeyRepeatedInOneBatch_isInsertedOnceThenDuplicate_withTheFirstOnesLevels() {
    OrderBookSnapshot a = snapshot(1, 1, TIME + 5, 0).addBids(level("3", "1")).build();
    OrderBookSnapshot aAgain = snapshot(1, 1, TIME + 5, 0).addBids(level("4", "1")).addBids(level("2", "1")).build();

    assertThat(sink.write(List.of(a, aAgain, a))).containsExactly(true, false, false);

    assertThat(levels()).containsExactly("1 0 3 1");
  }

  @Test
  void emptySides_areStoredAsAHeaderWithoutLevels() {
    assertThat(sink.write(List.of(snapshot(1, 1, TIME + 9, 9).build()))).containsExactly(true);

    assertThat(db.jdbc().queryOne("SELECT bid_count + ask_count FROM orderbook_snapshots", r -> r.getInt(1))).contains(0);
    assertThat(levels()).isEmpty();
  }

  @Test
  void aSnapshotWithoutReceiveTime_getsTheServersClock() {
    sink.write(List.of(snapshot(1, 1, TIME + 9, 9).build()));

    assertThat(db.jdbc().queryOne("SELECT receive_time_ms FROM orderbook_snapshots", r -> r.getLong(1))).contains(NOW);
  }

  @Test
  void aFailureWhileWritingLevels_leavesNoHeaderBehind() {
    // A constraint only this test has: the second snapshot's levels fail after the headers went in.
    db.jdbc().execute("ALTER TABLE orderbook_levels ADD CONSTRAINT test_no_666 CHECK (price <> 666)");
    try {
      List<OrderBookSnapshot> batch = List.of(
          snapshot(1, 1, TIME + 1, 1).addBids(level("1", "1")).build(),
          snapshot(1, 1, TIME + 2, 1).addBids(level("666", "1")).build());

      Throwable error = catchThrowable(() -> sink.write(batch));

      assertThat(error).isInstanceOf(DataAccessException.class);
      assertThat(((DataAccessException) error).isUnavailable()).isFalse();
      assertThat(db.jdbc().queryOne("SELECT count(*) FROM orderbook_snapshots", r -> r.getInt(1))).contains(0);
      assertThat(levels()).isEmpty();
    } finally {
      db.jdbc().execute("ALTER TABLE orderbook_levels DROP CONSTRAINT test_no_666");
    }
  }

  @Test
  void textThatWouldChangeTheCopyStream_isRefused_evenWhenValidationWasSkipped() {
    OrderBookSnapshot sneaky = snapshot(1, 1, TIME + 1, 1).addBids(level("1\t2\t3", "1")).build();

    Throwable error = catchThrowable(() -> sink.write(List.of(snapshot(1, 1, TIME + 2, 1).addBids(level("5", "1")).build(), sneaky)));

    assertThat(error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a validated decimal");
    assertThat(db.jdbc().queryOne("SELECT count(*) FROM orderbook_snapshots", r -> r.getInt(1))).contains(0);
    // The connection went back to the pool usable: the COPY was cancelled and rolled back.
    assertThat(sink.write(List.of(snapshot(1, 1, TIME + 3, 1).addBids(level("5", "1")).build()))).containsExactly(true);
    assertThat(levels()).containsExactly("1 0 5 1");
  }

  @Test
  void aBatchOfManySnapshots_takesOneStatementPerTable_notOnePerSnapshotOrLevel() {
    // Statement-level triggers of this test only count the statements (INSERT or COPY) that write
    // each table, as PostgreSQL itself sees them.
    db.jdbc().execute("CREATE TABLE test_statements (table_name text, n int)");
    db.jdbc().execute("""
        CREATE FUNCTION test_count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO test_statements VALUES (TG_TABLE_NAME, 1); RETURN NULL; END $$""");
    db.jdbc().execute("CREATE TRIGGER test_count AFTER INSERT ON orderbook_snapshots"
        + " FOR EACH STATEMENT EXECUTE FUNCTION test_count_statement()");
    db.jdbc().execute("CREATE TRIGGER test_count AFTER INSERT ON orderbook_levels"
        + " FOR EACH STATEMENT EXECUTE FUNCTION test_count_statement()");
    try {
      OrderBookSink deep = newSink(db.jdbc(), 20);
      List<OrderBookSnapshot> batch = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        batch.add(book(snapshot(1, 1 + i % 2, TIME + 100 + i, i), 20, new Random(i)));
      }

      assertThat(deep.write(batch)).doesNotContain(false);

      assertThat(statements()).containsExactly("orderbook_levels 1", "orderbook_snapshots 1");
      assertThat(db.jdbc().queryOne("SELECT count(*) FROM orderbook_levels", r -> r.getInt(1))).contains(500 * 40);

      db.jdbc().execute("DELETE FROM test_statements");
      assertThat(deep.write(batch)).doesNotContain(true);
      assertThat(statements()).as("a batch of duplicates writes no levels").containsExactly("orderbook_snapshots 1");
    } finally {
      db.jdbc().execute("DROP TRIGGER test_count ON orderbook_snapshots");
      db.jdbc().execute("DROP TRIGGER test_count ON orderbook_levels");
      db.jdbc().execute("DROP FUNCTION test_count_statement");
      db.jdbc().execute("DROP TABLE test_statements");
    }
  }

  private static List<String> statements() {
    return db.jdbc().query("SELECT table_name, sum(n) FROM test_statements GROUP BY 1 ORDER BY 1",
        r -> r.getString(1) + " " + r.getInt(2));
  }

  @Test
  void pricesAndQuantities_roundTripExactly() {
    Random random = new Random(20261126);
    OrderBookSink wide = newSink(db.jdbc(), 50);
    List<OrderBookSnapshot> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      batch.add(book(snapshot(1, 1, TIME + 1 + i, 0), 1 + random.nextInt(50), random));
    }
    for (OrderBookSnapshot s : batch) {
      assertThat(wide.validate(s)).as(s.toString()).isNull();
    }

    assertThat(wide.write(batch)).doesNotContain(false);

    List<String> expected = new ArrayList<>();
    for (OrderBookSnapshot s : batch) {
      for (int i = 0; i < s.getBidsCount(); i++) {
        expected.add(s.getServerTimeMs() + " 1 " + i + " " + s.getBids(i).getPrice() + " " + s.getBids(i).getQuantity());
      }
      for (int i = 0; i < s.getAsksCount(); i++) {
        expected.add(s.getServerTimeMs() + " 2 " + i + " " + s.getAsks(i).getPrice() + " " + s.getAsks(i).getQuantity());
      }
    }
    assertThat(db.jdbc().query("""
            SELECT h.server_time_ms, l.side, l.level_index, l.price::text, l.quantity::text
            FROM orderbook_levels l JOIN orderbook_snapshots h USING (exchange_id, currency_pair_no, snapshot_id)
            ORDER BY h.server_time_ms, l.side, l.level_index""",
        r -> r.getLong(1) + " " + r.getInt(2) + " " + r.getInt(3) + " " + r.getString(4) + " " + r.getString(5)))
        .containsExactlyElementsOf(expected);
  }

  private static List<String> levels() {
    return db.jdbc().query("""
            SELECT side, level_index, price::text, quantity::text FROM orderbook_levels
            ORDER BY snapshot_id, side, level_index""",
        r -> r.getInt(1) + " " + r.getInt(2) + " " + r.getString(3) + " " + r.getString(4));
  }

  static OrderBookSnapshot.Builder snapshot(int exchangeId, int pairNo, long serverTimeMs, long sequenceId) {
    return OrderBookSnapshot.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(pairNo).setServerTimeMs(serverTimeMs).setSequenceId(sequenceId);
  }

  static PriceLevel level(String price, String quantity) {
    return PriceLevel.newBuilder().setPrice(price).setQuantity(quantity).build();
  }

  /**
   * A valid book of {@code depth} levels a side with random prices and quantities of up to 38
   * significant digits and up to 18 after the point: bids strictly descending, asks ascending.
   */
  static OrderBookSnapshot book(OrderBookSnapshot.Builder s, int depth, Random random) {
    List<BigDecimal> prices = new ArrayList<>();
    while (prices.size() < 2 * depth) {
      BigDecimal p = new BigDecimal(PlainDecimalTest.randomDecimal(random));
      if (prices.stream().noneMatch(q -> q.compareTo(p) == 0)) {
        prices.add(p);
      }
    }
    prices.sort(null);
    for (int i = 0; i < depth; i++) {
      s.addBids(level(prices.get(depth - 1 - i).toPlainString(), PlainDecimalTest.randomDecimal(random)));
      s.addAsks(level(prices.get(depth + i).toPlainString(), PlainDecimalTest.randomDecimal(random)));
    }
    return s.build();
  }
}
