package io.tickvault.server.app;

import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.metrics.SubscriptionMetrics;
import io.tickvault.server.orderbook.OrderBookCommitLog;
import io.tickvault.server.orderbook.OrderBookSubscriptions;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import io.tickvault.server.subscribe.CommitAnnouncements;
import io.tickvault.server.subscribe.CommitLog;
import io.tickvault.server.subscribe.CommitWatch;
import io.tickvault.server.subscribe.MarketSubscriptions;
import io.tickvault.server.trade.TradeCommitLog;
import io.tickvault.server.trade.TradeSubscriptions;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live subscriptions, wired (docs/subscribing.md), for trades and for order books alike: the
 * commit log ingestion appends to, the watch that wakes this server's subscribers, told of commits
 * by this server's writes, by the others' announcements on Redis and, whatever Redis does, by a
 * poll of the log's counter every {@link #POLL_INTERVAL} while anyone waits; and the retention of
 * the log, pruned every {@link #PRUNE_INTERVAL}. The polls and the pruning run on a thread of their own.
 */
record Subscriptions(TradeCommitLog tradeLog, OrderBookCommitLog orderBookLog, TradeSubscriptions trades,
                     OrderBookSubscriptions orderBooks) {
  private static final Logger logger = LoggerFactory.getLogger(Subscriptions.class);
  /** The longest a subscriber waits for a commit of another server when its announcement is lost. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  /** How long the commit log keeps a commit: a resume token older than this is OUT_OF_RANGE. */
  static final Duration RETENTION = Duration.ofHours(6);
  static final Duration PRUNE_INTERVAL = Duration.ofMinutes(1);

  static Subscriptions start(Infrastructure infra, KnownMarkets markets, Clock clock, Resources resources) {
    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.named("tickvault-subscriptions-", infra.uncaughtErrors()));
    resources.own(thread::shutdownNow);
    RateLimitedLog failures = new RateLimitedLog(logger, RateLimitedLog.DEFAULT_INTERVAL, clock);
    LazyRedisConnection<RedisConnection<String, byte[]>> redis = infra.redis().commands();
    redis.start(infra.scheduler());
    Kind trades = new Kind(infra, thread, failures, redis, TradeCommitLog.LOG, CommitAnnouncements.TRADES, "trade");
    Kind books = new Kind(infra, thread, failures, redis, OrderBookCommitLog.LOG, CommitAnnouncements.ORDER_BOOKS,
        "order book");
    return new Subscriptions(new TradeCommitLog(trades.announcements), new OrderBookCommitLog(books.announcements),
        new TradeSubscriptions(new MarketSubscriptions(infra.jdbc(), trades.watch, markets,
            SubscriptionMetrics.trades(infra.metrics().registry()), clock)),
        new OrderBookSubscriptions(new MarketSubscriptions(infra.jdbc(), books.watch, markets,
            SubscriptionMetrics.orderBooks(infra.metrics().registry()), clock)));
  }

  /** One kind's watch, its announcements on Redis, its poll and its pruning. */
  private static final class Kind {
    final CommitWatch watch = new CommitWatch();
    final CommitAnnouncements announcements;

    Kind(Infrastructure infra, ScheduledExecutorService thread, RateLimitedLog failures,
         LazyRedisConnection<RedisConnection<String, byte[]>> redis, CommitLog log, String channel, String noun) {
      announcements = new CommitAnnouncements(channel, watch, redis);
      infra.redis().pubSub(announcements::subscribe, "subscribe to " + noun + " commit announcements",
          "subscribers hear of other servers' commits by a poll every " + POLL_INTERVAL.toMillis() + " ms")
          .start(infra.scheduler());
      thread.scheduleWithFixedDelay(() -> {
        try {
          int[][] watched = watch.marketsWatched();
          if (watched[0].length > 0) {
            long[] seqs = infra.jdbc().withConnection(c -> log.seqs(c, watched[0], watched[1]))[0];
            for (int i = 0; i < seqs.length; i++) {
              watch.committed(watched[0][i], watched[1][i], seqs[i]);
            }
          }
        } catch (RuntimeException e) {
          failures.warn("cannot poll the commits of " + log.table() + " (" + e.getMessage()
              + "): subscribers wait for announcements; retrying");
        }
      }, POLL_INTERVAL.toMillis(), POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      thread.scheduleWithFixedDelay(() -> {
        try {
          log.prune(infra.jdbc(), RETENTION);
        } catch (RuntimeException e) {
          failures.warn("cannot prune " + log.table() + " (" + e.getMessage() + "): retrying");
        }
      }, PRUNE_INTERVAL.toMillis(), PRUNE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
