package io.tickvault.server.app;

import io.tickvault.server.auth.AccessTokenRepository;
import io.tickvault.server.auth.AccessTokens;
import io.tickvault.server.auth.TokenAdmin;
import io.tickvault.server.auth.TokenAnnouncements;
import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.metrics.TokenMetrics;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stored tokens, wired: the table read into memory at start-up, kept current by Redis announcements
 * and, as the fallback while Redis is down, a check of the table's fingerprint every
 * {@link #CHECK_INTERVAL} (so a revocation reaches every server within a second either way), a
 * full re-read every {@link #FULL_RELOAD_INTERVAL} for edits made by hand, and the last uses
 * written every {@link #LAST_USE_FLUSH_INTERVAL}. All of it on a thread of its own, so a slow
 * database never delays the other background work, nor a call. The calls open with a token end as
 * its revocation arrives, or at the first check after its expiry (on the shared scheduler).
 */
record Tokens(AccessTokens tokens, TokenAdmin admin) {
  private static final Logger log = LoggerFactory.getLogger(Tokens.class);
  static final Duration CHECK_INTERVAL = Duration.ofMillis(500);
  static final Duration FULL_RELOAD_INTERVAL = Duration.ofMinutes(1);
  static final Duration LAST_USE_FLUSH_INTERVAL = Duration.ofSeconds(30);

  static Tokens start(Infrastructure infra, Clock clock, Resources resources) {
    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tickvault-tokens-",
        infra.uncaughtErrors()));
    AccessTokenRepository repository = new AccessTokenRepository(infra.jdbc());
    AccessTokens tokens = new AccessTokens(repository, clock);
    RateLimitedLog failures = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    // Before the server takes a call: a stored token is accepted from the first one on.
    guard(tokens::reload, failures).run();

    LazyRedisConnection<RedisConnection<String, byte[]>> redis = infra.redis().commands();
    redis.start(infra.scheduler());
    TokenAnnouncements announcements = new TokenAnnouncements(tokens, guarded(thread, failures), redis);
    var subscription = infra.redis().pubSub(announcements::subscribe, "subscribe to token revocations",
        "they reach this server by its check of the table every " + CHECK_INTERVAL.toMillis() + " ms");
    subscription.start(infra.scheduler());

    every(thread, CHECK_INTERVAL, tokens::reloadIfChanged, failures);
    every(thread, FULL_RELOAD_INTERVAL, tokens::reload, failures);
    every(thread, LAST_USE_FLUSH_INTERVAL, tokens::flushLastUse, failures);
    // Expiry needs no database: checked on the shared scheduler, so a reload stuck on a slow database
    // never holds it up.
    infra.scheduler().scheduleWithFixedDelay(tokens.openCalls()::endRefused, CHECK_INTERVAL.toMillis(),
        CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    TokenMetrics.register(infra.metrics().registry(), tokens::countByState);
    resources.own(() -> {
      thread.shutdownNow();
      guard(tokens::flushLastUse, failures).run(); // the last batch, while the pool is still open
    });
    return new Tokens(tokens, new TokenAdmin(repository, tokens, announcements, clock));
  }

  private static void every(ScheduledExecutorService thread, Duration interval, Runnable task, RateLimitedLog failures) {
    thread.scheduleWithFixedDelay(guard(task, failures), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Executor guarded(ScheduledExecutorService thread, RateLimitedLog failures) {
    return task -> thread.execute(guard(task, failures));
  }

  /** A failed read (the database is down) is retried at the next turn; the tokens in memory keep working. */
  private static Runnable guard(Runnable task, RateLimitedLog failures) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        failures.warn("cannot read or write access_tokens (" + e.getMessage() + "): the tokens in memory keep "
            + "working; retrying");
      }
    };
  }
}
