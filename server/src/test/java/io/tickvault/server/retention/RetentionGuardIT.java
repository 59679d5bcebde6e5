package io.tickvault.server.retention;

import static io.tickvault.server.retention.RetentionCalls.DAY;
import static io.tickvault.server.retention.RetentionCalls.count;
import static io.tickvault.server.retention.RetentionCalls.trades;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.DataAccessException;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.orderbook.OrderBookCommitLog;
import io.tickvault.server.orderbook.OrderBookRepository;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.trade.CandleBackfill;
import io.tickvault.server.trade.TradeCommitLog;
import io.tickvault.server.trade.TradeRepository;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server whose copy of the horizon is older than the one committed (another server moved it a
 * moment ago) checks the records against the old one; the batch's own check against the committed
 * horizon rolls it back, retryable, and brings the copy up to date, so the records are refused
 * when sent again.
 */
class RetentionGuardIT {
  @RegisterExtension
  static TestDatabase db = new TestDatabase();

  @Test
  void aBatchBeforeAHorizonCommittedMeanwhile_isRolledBackRetryably_andTheCopyLearnsIt() {
    Jdbc jdbc = db.jdbc();
    Horizons stale = new Horizons(List::of); // never refreshed: horizon 0
    TradeRepository trades = new TradeRepository(jdbc, CandleBackfill.open(jdbc, Clock.systemUTC()),
        new TradeCommitLog(commits -> { }), new RetentionGuard(Dataset.TRADES, stale, Clock.systemUTC()));
    OrderBookRepository books = new OrderBookRepository(jdbc, new OrderBookCommitLog(commits -> { }), new RetentionGuard(Dataset.ORDER_BOOKS, stale, Clock.systemUTC()));
    long now = System.currentTimeMillis();
    long horizon = new RetentionRepository(jdbc).raise(Dataset.TRADES, now - DAY);
    new RetentionRepository(jdbc).raise(Dataset.ORDER_BOOKS, now - DAY);

    List<Trade> batch = trades(1, 1, "t-", now - 2 * DAY, 1_000, 100);
    assertThatThrownBy(() -> trades.insert(batch, now, () -> { }))
        .isInstanceOfSatisfying(DataAccessException.class, e -> assertThat(e.isUnavailable()).isTrue())
        .hasMessageContaining("retention horizon of trades moved to " + horizon);
    assertThat(count(jdbc, "SELECT count(*) FROM trades")).isZero();
    assertThat(count(jdbc, "SELECT count(*) FROM trade_candles_1m")).isZero();
    assertThat(stale.horizon(Dataset.TRADES)).isEqualTo(horizon);

    List<OrderBookSnapshot> snapshots = List.of(QueryCalls.snapshot(1, 1, now - 2 * DAY, 1, 2));
    assertThatThrownBy(() -> books.insert(snapshots, now, () -> { })).isInstanceOf(DataAccessException.class);
    assertThat(count(jdbc, "SELECT count(*) FROM orderbook_snapshots")).isZero();

    // After the horizon: stored as ever, the staging path (a duplicate in the batch's key) too.
    List<Trade> recent = trades(1, 1, "r-", now - 1_000, 1, 10);
    assertThat(trades.insert(recent, now, () -> { })).containsOnly(true);
    assertThat(trades.insert(recent, now, () -> { })).containsOnly(false);
  }
}
