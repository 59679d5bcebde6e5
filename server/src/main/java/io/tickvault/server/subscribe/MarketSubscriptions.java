package io.tickvault.server.subscribe;

import com.google.protobuf.MessageLite;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.market.MarketKey;
import io.tickvault.server.metrics.SubscriptionMetrics;
import io.tickvault.server.read.PagedStream;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Opens the subscriptions of one kind: checks what every subscription request has (markets, start
 * time, resume token; docs/subscribing.md lists the rules) and gives the {@link Subscription} that
 * serves it. Subscriptions read the primary: the log and the stored records must come from one
 * database, and the primary is where a commit is first seen, so the wake-up that follows a commit
 * finds it.
 */
public final class MarketSubscriptions {
  /** Markets one subscription may follow. */
  public static final int MAX_MARKETS = 100;

  private final Jdbc primary;
  private final CommitWatch watch;
  private final KnownMarkets markets;
  private final SubscriptionMetrics metrics;
  private final Clock clock;

  public MarketSubscriptions(Jdbc primary, CommitWatch watch, KnownMarkets markets, SubscriptionMetrics metrics,
                             Clock clock) {
    this.primary = primary;
    this.watch = watch;
    this.markets = markets;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * The stream of a request; INVALID_ARGUMENT naming every bad field, those already in
   * {@code violations} (the kind's own fields) and these, when the request is bad.
   */
  public <R, T, M extends MessageLite> PagedStream.Pager<M> open(FieldViolations violations, Subscribable<R, T> kind,
      List<MarketRef> requested, long startTimeMs, String resumeToken, Subscription.Responses<T, M> responses) {
    int n = requested.size();
    if (n == 0 || n > MAX_MARKETS) {
      violations.add("markets", "must name 1 to " + MAX_MARKETS + " markets, got " + n);
    }
    int[] exchangeIds = new int[n];
    int[] pairNos = new int[n];
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      MarketRef m = requested.get(i);
      exchangeIds[i] = m.getExchangeId();
      pairNos[i] = m.getCurrencyPairNo();
      positive(violations, "markets[" + i + "].exchange_id", m.getExchangeId());
      positive(violations, "markets[" + i + "].currency_pair_no", m.getCurrencyPairNo());
      if (!seen.add(MarketKey.of(m.getExchangeId(), m.getCurrencyPairNo()))) {
        violations.add("markets[" + i + "]", "names market " + m.getExchangeId() + "/" + m.getCurrencyPairNo()
            + " a second time");
      }
    }
    if (startTimeMs < 0) {
      violations.add("start_time_ms", "must not be negative (epoch milliseconds, or 0 for only what is committed from now on), got "
          + startTimeMs);
    }
    SubscriptionToken token = SubscriptionToken.decode(violations, resumeToken, kind, startTimeMs, exchangeIds, pairNos);
    // Last: the lookups may query PostgreSQL (see ReadArguments.registered).
    for (int i = 0; i < n && n <= MAX_MARKETS; i++) {
      if (exchangeIds[i] <= 0 || pairNos[i] <= 0) {
        continue;
      }
      KnownMarkets.Unregistered unregistered;
      try {
        unregistered = markets.unregistered(exchangeIds[i], pairNos[i]);
      } catch (RuntimeException e) {
        violations.throwIfAny();
        throw e;
      }
      if (unregistered != null) {
        violations.add("markets[" + i + "]." + unregistered.field(), unregistered.reason());
      }
    }
    violations.throwIfAny();
    return new Subscription<>(primary, kind, responses, watch, metrics, clock,
        new SubscriptionRequest(startTimeMs, exchangeIds, pairNos, token));
  }

  /** The watch that wakes these subscriptions. */
  public CommitWatch watch() {
    return watch;
  }

  private static void positive(FieldViolations violations, String field, int value) {
    if (value <= 0) {
      violations.add(field, value == 0 ? "is required" : "must be positive, got " + value);
    }
  }
}
