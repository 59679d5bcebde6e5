package io.tickvault.server.trade;

import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.TestDatabase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one-minute rollup against the trades themselves: random trades of two markets over two days,
 * written through both paths of {@link TradeRepository} (COPY straight in; the staging path of
 * batches holding duplicates), late and out of order, some by two writers at once. Every candle
 * the rollup serves must equal, digit for digit, the one computed from {@code trades}.
 */
class CandleRollupIT {
  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final long T0 = 1_764_115_200_000L; // a midnight, UTC
  /** Few values, each in several spellings: equal prices spelled differently meet in most minutes. */
  private static final String[] PRICES = {"100", "100.0", "100.50", "100.5", "99.99", "99.990", "101", "101.000",
      "100.25", "0.5", "0.50", "7.123456789"};

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  static Jdbc jdbc;
  static TradeRepository repository;
  static CandleReader reader;
  static final SplittableRandom random = new SplittableRandom(27);
  static final List<Trade> stored = new ArrayList<>();
  static long inserted;

  @BeforeAll
  static void writeTradesThroughBothPaths() throws Exception {
    jdbc = database.jdbc();
    CandleBackfill backfill = CandleBackfill.open(jdbc, Clock.systemUTC());
    assertThat(backfill.complete()).as("nothing was stored before the rollup").isTrue();
    repository = new TradeRepository(jdbc, backfill, new TradeCommitLog(commits -> { }));
    reader = new CandleReader(jdbc, backfill);
    List<Trade> all = new ArrayList<>();
    for (int i = 0; i < 12_000; i++) {
      int pair = 1 + random.nextInt(2);
      // Two days, the times crowded into a few hundred minutes so that minutes hold many trades,
      // some sharing a millisecond (then the trade id decides open and close).
      long time = T0 + random.nextLong(2 * DAY) / (4 * MINUTE) * (4 * MINUTE) + random.nextInt(600) * 100L;
      String id = random.nextInt(10) == 0 ? "é-" + i : random.nextInt(20) == 0 ? "\uD83D\uDE00" + i : "t-" + i;
      String quantity = random.nextInt(1, 5000) + "." + "0123456789".substring(0, random.nextInt(1, 9));
      all.add(trade(1, pair, id, time, PRICES[random.nextInt(PRICES.length)], quantity));
    }
    // Fresh batches in time order: the COPY path.
    List<Trade> first = all.subList(0, 6_000).stream()
        .sorted((a, b) -> Long.compare(a.getTradeTimeMs(), b.getTradeTimeMs())).toList();
    write(first, 1_000);
    // Late trades, out of order, in batches that repeat stored ones: the staging path, and the COPY
    // path again once a batch has no duplicate.
    List<Trade> late = new ArrayList<>(all.subList(6_000, 9_000));
    for (int i = 0; i < 1_500; i++) {
      late.add(first.get(random.nextInt(first.size())));
    }
    Collections.shuffle(late, new java.util.Random(7));
    write(late, 700);
    // Two writers at once over the same minutes, a few keys sent by both.
    List<Trade> a = new ArrayList<>(all.subList(9_000, 10_500));
    List<Trade> b = new ArrayList<>(all.subList(10_500, 12_000));
    a.addAll(b.subList(0, 200));
    b.addAll(a.subList(0, 200));
    CompletableFuture<Void> other = CompletableFuture.runAsync(() -> write(b, 300));
    write(a, 300);
    other.get();
    assertThat(inserted).isEqualTo(12_000);
    assertThat(jdbc.queryOne("SELECT count(*) FROM trades", row -> row.getLong(1))).contains(12_000L);
  }

  private static void write(List<Trade> trades, int batchSize) {
    for (int from = 0; from < trades.size(); from += batchSize) {
      List<Trade> batch = trades.subList(from, Math.min(trades.size(), from + batchSize));
      boolean[] done = repository.insert(batch, T0, () -> { });
      synchronized (stored) {
        for (int i = 0; i < batch.size(); i++) {
          if (done[i]) {
            stored.add(batch.get(i));
            inserted++;
          }
        }
      }
    }
  }

  @Test
  void everyCandleFromTheRollup_equalsTheOneFromTheTrades_atEveryIntervalAndCut() {
    long[] intervals = {MINUTE, 7 * MINUTE, HOUR, DAY};
    long[][] ranges = {
        {T0, T0 + 2 * DAY},                                    // everything
        {T0 + 37 * MINUTE, T0 + 2 * DAY - 23 * MINUTE},       // cut at both ends, inside buckets
        {T0 + 7 * HOUR + 3 * MINUTE, T0 + 31 * HOUR + 58 * MINUTE},
        {T0 - DAY, T0 + 3 * DAY},                              // wider than the trades
    };
    int compared = 0;
    for (int pair = 1; pair <= 2; pair++) {
      for (long interval : intervals) {
        for (long[] range : ranges) {
          assertThat(CandleReader.servedByRollup(range[0], range[1], interval)).isTrue();
          List<Candle> fromRollup = reader.candles(1, pair, range[0], range[1], interval);
          List<Candle> fromTrades = reader.candlesFromTrades(1, pair, range[0], range[1], interval);
          assertThat(fromRollup).as("pair %d, interval %d, [%d, %d)", pair, interval, range[0], range[1])
              .isNotEmpty().isEqualTo(fromTrades);
          compared += fromRollup.size();
        }
      }
    }
    assertThat(compared).isGreaterThan(1_000);
    long tradesInRollup = jdbc.queryOne("SELECT sum(trade_count) FROM trade_candles_1m", row -> row.getLong(1)).orElseThrow();
    assertThat(tradesInRollup).isEqualTo(12_000);
  }

  @Test
  void tiedPrices_giveTheSpellingWithTheMostDecimals_fromBothSources() {
    long minute = T0 + 3 * DAY;
    repository.insert(List.of(
        trade(1, 3, "a", minute + 1, "5.0", "1"), trade(1, 3, "b", minute + 2, "5.00", "1"),
        trade(1, 3, "c", minute + 3, "5", "1"), trade(1, 3, "d", minute + 4, "2", "1")), T0, () -> { });
    repository.insert(List.of(trade(1, 3, "e", minute + 5, "2.0", "1"), trade(1, 3, "f", minute + 6, "2.00", "1"),
        trade(1, 3, "g", minute + 7, "2.0", "1")), T0, () -> { });
    Candle expected = Candle.newBuilder().setOpenTimeMs(minute).setOpen("5.0").setHigh("5.00").setLow("2.00")
        .setClose("2.0").setVolume("7").setQuoteVolume("23.00").setTradeCount(7).build();
    assertThat(reader.candles(1, 3, minute, minute + MINUTE, MINUTE)).containsExactly(expected);
    assertThat(reader.candlesFromTrades(1, 3, minute, minute + MINUTE, MINUTE)).containsExactly(expected);
  }

  @Test
  void aReplayOfTheSameTrades_changesNoCandle() {
    String table = "SELECT string_agg(t::text, '|' ORDER BY exchange_id, currency_pair_no, minute) FROM trade_candles_1m t"
        + " WHERE currency_pair_no IN (1, 2)";
    String before = jdbc.queryOne(table, row -> row.getString(1)).orElseThrow();
    List<Trade> replay;
    synchronized (stored) {
      replay = new ArrayList<>(stored);
    }
    Collections.shuffle(replay, new java.util.Random(3));
    for (int from = 0; from < replay.size(); from += 2_000) {
      boolean[] done = repository.insert(replay.subList(from, Math.min(replay.size(), from + 2_000)), T0, () -> { });
      for (boolean d : done) {
        assertThat(d).isFalse();
      }
    }
    assertThat(jdbc.queryOne(table, row -> row.getString(1)).orElseThrow()).isEqualTo(before);
  }
}
