package io.tickvault.server.subscribe;

import io.tickvault.server.market.MarketKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wakes the subscriptions of this server when a market they follow has a commit they have not
 * read. It learns of commits three ways, all of them ending in {@link #committed}: the writes of
 * this server (at once), the other servers' announcements on Redis
 * ({@link CommitAnnouncements}), and a poll of {@code market_commit_seq} while anyone waits
 * ({@link #marketsWatched}). The first two are only for latency: a lost announcement delays a
 * subscriber by one poll, never loses it a trade, since subscriptions read the log by seq.
 *
 * <p>No wake-up is lost between a subscription's empty read and its {@link #await}: the seq it
 * read is compared with the latest known after it is registered, and {@link #committed} raises the
 * latest before it looks for waiters.
 */
public final class CommitWatch {
  /** A subscription waiting for a commit after {@code after[i]} in market {@code markets[i]}. */
  private static final class Waiter {
    final long[] markets;
    final long[] after;
    final Runnable wake;
    final AtomicBoolean fired = new AtomicBoolean();

    Waiter(long[] markets, long[] after, Runnable wake) {
      this.markets = markets;
      this.after = after;
      this.wake = wake;
    }
  }

  private final Map<Long, Long> latest = new ConcurrentHashMap<>();
  private final Map<Long, Set<Waiter>> waiters = new ConcurrentHashMap<>();

  /** Records commits (from anywhere) and wakes the subscriptions waiting for them. */
  public void committed(List<CommitLog.Commit> commits) {
    for (CommitLog.Commit commit : commits) {
      committed(commit.exchangeId(), commit.currencyPairNo(), commit.seq());
    }
  }

  public void committed(int exchangeId, int currencyPairNo, long seq) {
    long market = MarketKey.of(exchangeId, currencyPairNo);
    latest.merge(market, seq, Math::max);
    Set<Waiter> waiting = waiters.get(market);
    if (waiting == null) {
      return;
    }
    for (Waiter w : waiting) {
      for (int i = 0; i < w.markets.length; i++) {
        if (w.markets[i] == market && w.after[i] < seq) {
          fire(w);
          break;
        }
      }
    }
  }

  /**
   * Runs {@code wake} once, as soon as a market {@code markets[i]} has a commit after
   * {@code after[i]} (perhaps at once); returns what cancels the wait.
   */
  public Runnable await(long[] markets, long[] after, Runnable wake) {
    Waiter w = new Waiter(markets, after, wake);
    for (long market : markets) {
      // Added inside the map's lock of the market, so a concurrent remove never drops the set under it.
      waiters.compute(market, (m, set) -> {
        Set<Waiter> s = set == null ? ConcurrentHashMap.newKeySet() : set;
        s.add(w);
        return s;
      });
    }
    for (int i = 0; i < markets.length; i++) {
      Long known = latest.get(markets[i]);
      if (known != null && known > after[i]) {
        fire(w);
        break;
      }
    }
    return () -> remove(w);
  }

  /** The markets someone waits on, as (exchange id, pair no) pairs: what the poll reads. */
  public int[][] marketsWatched() {
    List<Long> markets = waiters.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    int[][] ids = new int[2][markets.size()];
    for (int i = 0; i < markets.size(); i++) {
      ids[0][i] = (int) (markets.get(i) >> 32);
      ids[1][i] = (int) (long) markets.get(i);
    }
    return ids;
  }

  private void fire(Waiter w) {
    if (w.fired.compareAndSet(false, true)) {
      remove(w);
      w.wake.run();
    }
  }

  private void remove(Waiter w) {
    for (long market : w.markets) {
      waiters.computeIfPresent(market, (m, set) -> {
        set.remove(w);
        return set.isEmpty() ? null : set;
      });
    }
  }
}
