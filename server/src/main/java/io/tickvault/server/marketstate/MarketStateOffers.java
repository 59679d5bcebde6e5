package io.tickvault.server.marketstate;

import io.tickvault.server.market.MarketKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Carries ingestion's offers to Redis coalesced: while one round of script calls is out, the
 * offers that come meanwhile wait here, only the newest part of each market kept, and all go in
 * the next round. So a group commit of hundreds of markets costs one round trip, not one per
 * market, and a market written in every group costs Redis one write per round, whatever the rate.
 *
 * <p>Never waits for Redis: an offer is a map update, and the round is sent by whichever thread
 * finds none out (an offering writer, or the thread that saw the last round answered). At most
 * {@link #MAX_WAITING} markets wait; an offer for another market beyond that is dropped and
 * reported failed, as is every market of a call Redis did not take.
 */
final class MarketStateOffers {
  static final int MAX_WAITING = 10_000;

  /** Told of the markets whose newest state did not reach Redis. */
  interface Failures {
    void failed(MarketStateRedis.Offer offer, String why);
  }

  private final Function<List<MarketStateRedis.Offer>, List<List<MarketStateRedis.Offer>>> calls;
  private final Function<List<MarketStateRedis.Offer>, CompletionStage<Long>> send;
  private final Failures failures;
  private final Object lock = new Object();
  private Map<Long, MarketStateRedis.Offer> waiting = new LinkedHashMap<>(); // guarded by lock
  private boolean roundOut; // guarded by lock

  MarketStateOffers(MarketStateRedis redis, Failures failures) {
    this(redis::calls, redis::offer, failures);
  }

  /**
   * @param calls splits a round into script calls ({@link MarketStateRedis#calls})
   * @param send sends one call ({@link MarketStateRedis#offer(List)})
   */
  MarketStateOffers(Function<List<MarketStateRedis.Offer>, List<List<MarketStateRedis.Offer>>> calls,
      Function<List<MarketStateRedis.Offer>, CompletionStage<Long>> send, Failures failures) {
    this.calls = calls;
    this.send = send;
    this.failures = failures;
  }

  /** The offers of one commit, sent together in one round when none is out, else merged into the next. */
  void offer(List<MarketStateRedis.Offer> offers) {
    List<MarketStateRedis.Offer> dropped = List.of();
    List<MarketStateRedis.Offer> round = null;
    synchronized (lock) {
      for (MarketStateRedis.Offer offer : offers) {
        long market = MarketKey.of(offer.exchangeId(), offer.currencyPairNo());
        MarketStateRedis.Offer before = waiting.get(market);
        if (before == null && waiting.size() >= MAX_WAITING) {
          if (dropped.isEmpty()) {
            dropped = new ArrayList<>();
          }
          dropped.add(offer); // reported below, outside the lock
        } else {
          waiting.put(market, before == null ? offer : newest(before, offer));
        }
      }
      if (!roundOut && !waiting.isEmpty()) {
        roundOut = true;
        round = takeWaiting();
      }
    }
    for (MarketStateRedis.Offer offer : dropped) {
      failures.failed(offer, "more than " + MAX_WAITING + " markets waiting for Redis");
    }
    if (round != null) {
      send(round);
    }
  }

  /** Sends rounds until one is still out, or none waits (a loop, so that failing fast never recurses). */
  private void send(List<MarketStateRedis.Offer> round) {
    while (round != null) {
      CompletableFuture<Void> answered = sendRound(round);
      if (!answered.isDone()) {
        answered.whenComplete((done, never) -> send(nextRound()));
        return;
      }
      round = nextRound();
    }
  }

  /** Completes (never exceptionally) once Redis answered every call of the round. */
  private CompletableFuture<Void> sendRound(List<MarketStateRedis.Offer> round) {
    List<List<MarketStateRedis.Offer>> split = calls.apply(round);
    CompletableFuture<Void> answered = new CompletableFuture<>();
    AtomicInteger left = new AtomicInteger(split.size());
    for (List<MarketStateRedis.Offer> call : split) {
      send.apply(call).whenComplete((replaced, error) -> {
        if (error != null) {
          String why = error.getMessage();
          call.forEach(offer -> failures.failed(offer, why));
        }
        if (left.decrementAndGet() == 0) {
          answered.complete(null);
        }
      });
    }
    return answered;
  }

  /** The offers waiting, taken; null (and no round out) when none waits. */
  private List<MarketStateRedis.Offer> nextRound() {
    synchronized (lock) {
      if (waiting.isEmpty()) {
        roundOut = false;
        return null;
      }
      return takeWaiting();
    }
  }

  private List<MarketStateRedis.Offer> takeWaiting() {
    List<MarketStateRedis.Offer> round = new ArrayList<>(waiting.values());
    waiting = new LinkedHashMap<>();
    return round;
  }

  /**
   * Both offers of one market as one: for each part the greater order key, as the script would
   * keep it (the earlier one on a tie, which the script would not replace either).
   */
  static MarketStateRedis.Offer newest(MarketStateRedis.Offer earlier, MarketStateRedis.Offer later) {
    List<MarketStateRedis.Part> parts = new ArrayList<>(earlier.parts());
    for (MarketStateRedis.Part part : later.parts()) {
      int same = indexOf(parts, part.name());
      if (same < 0) {
        parts.add(part);
      } else if (Arrays.compareUnsigned(parts.get(same).orderKey(), part.orderKey()) < 0) {
        parts.set(same, part);
      }
    }
    return new MarketStateRedis.Offer(earlier.exchangeId(), earlier.currencyPairNo(), parts);
  }

  private static int indexOf(List<MarketStateRedis.Part> parts, String name) {
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
