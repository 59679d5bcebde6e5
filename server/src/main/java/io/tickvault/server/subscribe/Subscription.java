package io.tickvault.server.subscribe;

import com.google.protobuf.MessageLite;
import io.grpc.Status;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.market.MarketKey;
import io.tickvault.server.metrics.SubscriptionMetrics;
import io.tickvault.server.read.PagedStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One subscription stream, step by step, at the pace of its client ({@link PagedStream} asks for
 * the next response only when the call is ready): the server holds one response per subscriber,
 * however far behind it is, and a response weighs at most {@link Subscribable#maxWeight()}.
 *
 * <p>History phase, market after market: each step reads, in one repeatable-read snapshot, the
 * market's last commit seq S', the log entries in (S, S'] (S: the seq of the snapshot the previous
 * step read) and the next page of stored records after the cursor. The entries' records that sort
 * at or before the cursor were committed too late for the pages already sent: they are delivered
 * now; the others are in this page or the next ones. So after every step the records delivered are
 * exactly those committed up to S' with a key up to the cursor, and the next step, in a later
 * snapshot, continues without a gap or a duplicate. When those late records are more than a
 * response holds, the step delivers what fits and reads no page: S and the cursor stay, and the
 * market's skip counts the late records of entry S + 1 already sent. The first market's S is read
 * with every other market's in one snapshot when the subscription starts; records committed
 * since, with a time before start_time_ms, come as late ones. Then one response with caught_up,
 * and the live phase: every entry after each market's seq (less its skip), in seq order, whatever
 * the times of its records. A live step reads the log and the records it names on one connection,
 * and one that took every entry there was reads nothing the next time it is asked: it waits for
 * the watch at once, which wakes it at once for a commit it already knows of after those seqs, and
 * by its poll for one it has not heard of, as an empty read would have left it to. A read that
 * could only come back empty would delay the next commit's delivery by its round trips.
 *
 * <p>A resume token holds exactly that state, so resuming is the same next step.
 *
 * @param <M> the response message
 */
public final class Subscription<R, T, M extends MessageLite> implements PagedStream.Pager<M> {
  /** Builds a response of the records, its resume token and whether it is caught up. */
  public interface Responses<T, M> {
    M response(List<T> records, String resumeToken, boolean caughtUp);
  }

  /**
   * Stored records in the first history page, as the reads' default first page; each next one
   * doubles, up to {@link #MAX_HISTORY_PAGE}, as the reads' pages do: a catch-up of a long history
   * costs ten times fewer queries.
   */
  static final int HISTORY_PAGE = 1_000;
  static final int MAX_HISTORY_PAGE = 10_000;
  /** Entries read per market and step. */
  static final int ENTRIES_PER_MARKET = 32;

  private final Jdbc jdbc;
  private final Subscribable<R, T> kind;
  private final Responses<T, M> responses;
  private final CommitWatch watch;
  private final SubscriptionMetrics metrics;
  private final Clock clock;
  private final long startTimeMs;
  private final int[] exchangeIds;
  private final int[] pairNos;
  private final long[] keys;
  private final SubscriptionToken resumeFrom;
  private boolean started;
  private long[] seqs;
  private int[] skips;
  private int current;
  private Subscribable.Cursor cursor;
  private boolean announced;
  private boolean drained;
  private int pageSize = HISTORY_PAGE;
  private Runnable cancelWait;
  private boolean closed;

  Subscription(Jdbc jdbc, Subscribable<R, T> kind, Responses<T, M> responses, CommitWatch watch,
               SubscriptionMetrics metrics, Clock clock, SubscriptionRequest request) {
    this.jdbc = jdbc;
    this.kind = kind;
    this.responses = responses;
    this.watch = watch;
    this.metrics = metrics;
    this.clock = clock;
    this.startTimeMs = request.startTimeMs();
    this.exchangeIds = request.exchangeIds();
    this.pairNos = request.pairNos();
    this.resumeFrom = request.resumeFrom();
    this.keys = new long[exchangeIds.length];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = MarketKey.of(exchangeIds[i], pairNos[i]);
    }
    metrics.opened(keys.length);
  }

  @Override
  public PagedStream.Page<M> next() {
    if (!started) {
      start();
      started = true;
    }
    List<T> records = new ArrayList<>();
    while (current < seqs.length && records.isEmpty()) {
      historyStep(records);
    }
    metrics.history(records.size());
    // The last page of stored records goes without caught_up; the next response carries it.
    boolean caughtUp = records.isEmpty();
    if (caughtUp) {
      if (drained) {
        drained = false;
        return null;
      }
      liveStep(records);
      if (records.isEmpty() && announced) {
        return null;
      }
      announced = true;
    }
    String token = new SubscriptionToken(kind.kind(), startTimeMs, exchangeIds, pairNos, seqs.clone(), skips.clone(),
        current, cursor).encode();
    M response = responses.response(records, token, caughtUp);
    return new PagedStream.Page<>(response, response.getSerializedSize(), token, false);
  }

  /** Every market's seq in one snapshot, or the resume token's state once checked against them. */
  private void start() {
    long[] now = inSnapshot(c -> kind.log().seqs(c, exchangeIds, pairNos))[0];
    if (resumeFrom == null) {
      seqs = now;
      skips = new int[seqs.length];
      current = startTimeMs == 0 ? seqs.length : 0;
      cursor = kind.before(startTimeMs);
      return;
    }
    for (int i = 0; i < now.length; i++) {
      if (resumeFrom.seqs()[i] > now[i]) {
        throw Status.INVALID_ARGUMENT.withDescription(SubscriptionToken.FIELD + " is not a token this server issued"
            + " (a commit of market " + exchangeIds[i] + "/" + pairNos[i] + " that never was): pass a resume_token"
            + " exactly as received, or leave it empty to start over").asRuntimeException();
      }
    }
    seqs = resumeFrom.seqs().clone();
    skips = resumeFrom.skips().clone();
    current = resumeFrom.current();
    cursor = resumeFrom.cursor();
    announced = false;
  }

  /** The late records of market {@link #current}, then a page of its stored ones (see the class comment). */
  private void historyStep(List<T> records) {
    int m = current;
    int[] e = {exchangeIds[m]};
    int[] p = {pairNos[m]};
    long[] weight = {0};
    boolean pageRead = inSnapshot(c -> {
      long seq = kind.log().seqs(c, e, p)[0][0];
      List<R> late = new ArrayList<>();
      if (seq > seqs[m]) {
        long upto = Math.min(seq, seqs[m] + ENTRIES_PER_MARKET);
        List<CommitLog.Entry<R>> entries = kind.entries(c, e, p, new long[] {seqs[m]}, new long[] {upto},
            ENTRIES_PER_MARKET);
        if (entries.size() != upto - seqs[m] || (!entries.isEmpty() && entries.get(0).seq() != seqs[m] + 1)) {
          throw gone(m);
        }
        for (CommitLog.Entry<R> entry : entries) {
          if (!take(m, entry, true, late, weight)) {
            break;
          }
        }
        records.addAll(kind.load(c, e[0], p[0], late));
      }
      // A page is of the snapshot the market's seq stands at, and only when the response has room.
      if (seqs[m] < seq || skips[m] > 0 || weight[0] >= kind.maxWeight()) {
        return false;
      }
      List<R> page = kind.after(c, e[0], p[0], cursor, pageSize + 1);
      List<R> sent = new ArrayList<>();
      for (int i = 0; i < Math.min(page.size(), pageSize) && fits(weight[0], kind.weight(page.get(i)), records, sent); i++) {
        sent.add(page.get(i));
        weight[0] += kind.weight(page.get(i));
      }
      records.addAll(kind.load(c, e[0], p[0], sent));
      if (sent.isEmpty() && !page.isEmpty()) {
        return true; // the late records filled the response: the page comes next step, from the same cursor
      } else if (sent.size() < page.size()) {
        cursor = kind.cursorOf(sent.get(sent.size() - 1));
      } else {
        current++;
        cursor = kind.before(startTimeMs);
      }
      return true;
    });
    if (pageRead) {
      pageSize = Math.min(2 * pageSize, MAX_HISTORY_PAGE);
    }
  }

  /**
   * Takes the records of {@code entry} (after the market's skip, and, in the history phase, only
   * those at or before the cursor) while the response has room; true when all were taken, and the
   * market's seq moved to the entry's.
   */
  private boolean take(int m, CommitLog.Entry<R> entry, boolean beforeCursor, List<R> taken, long[] weight) {
    int seen = 0;
    for (R r : entry.items()) {
      if (beforeCursor && kind.compare(r, cursor) > 0) {
        continue;
      }
      if (seen++ < skips[m]) {
        continue;
      }
      long w = kind.weight(r);
      if (weight[0] > 0 && weight[0] + w > kind.maxWeight()) {
        skips[m] = seen - 1;
        return false;
      }
      taken.add(r);
      weight[0] += w;
    }
    seqs[m] = entry.seq();
    skips[m] = 0;
    return true;
  }

  /** Whether a page's record fits beside what the response holds: the first always does. */
  private boolean fits(long weight, long w, List<T> records, List<R> sent) {
    return (records.isEmpty() && sent.isEmpty()) || weight + w <= kind.maxWeight();
  }

  /**
   * The entries after each market's seq, a bounded response's worth, fairly across markets, and
   * their records, on one connection; {@link #drained} when it took every entry there was.
   */
  private void liveStep(List<T> records) {
    long[] upto = new long[seqs.length];
    Arrays.fill(upto, Long.MAX_VALUE);
    long oldest = jdbc.withConnection(c -> {
      List<CommitLog.Entry<R>> entries = kind.entries(c, exchangeIds, pairNos, seqs, upto, ENTRIES_PER_MARKET);
      if (entries.isEmpty()) {
        long[] pruned = kind.log().seqs(c, exchangeIds, pairNos)[1];
        for (int i = 0; i < seqs.length; i++) {
          if (pruned[i] > seqs[i]) {
            throw gone(i);
          }
        }
        return Long.MAX_VALUE;
      }
      List<List<R>> taken = new ArrayList<>();
      long first = takeFairly(entries, taken);
      for (int i = 0; i < seqs.length; i++) {
        if (!taken.get(i).isEmpty()) {
          records.addAll(kind.load(c, exchangeIds[i], pairNos[i], taken.get(i)));
        }
      }
      return first;
    });
    if (oldest != Long.MAX_VALUE) {
      metrics.live(records.size(), (clock.millis() - oldest) / 1000.0);
    }
  }

  /**
   * Takes the records of the entries, market by market in {@code taken}, round robin so a busy
   * market does not keep a quiet one waiting, until the response is full; returns the commit time
   * of the oldest entry taken.
   */
  private long takeFairly(List<CommitLog.Entry<R>> entries, List<List<R>> taken) {
    List<List<CommitLog.Entry<R>>> byMarket = new ArrayList<>();
    for (int i = 0; i < seqs.length; i++) {
      byMarket.add(new ArrayList<>());
      taken.add(new ArrayList<>());
    }
    for (CommitLog.Entry<R> entry : entries) {
      byMarket.get(entry.market()).add(entry);
    }
    long oldest = Long.MAX_VALUE;
    long[] weight = {0};
    boolean full = false;
    for (int round = 0; round < ENTRIES_PER_MARKET && !full; round++) {
      for (int i = 0; i < seqs.length && !full; i++) {
        List<CommitLog.Entry<R>> of = byMarket.get(i);
        if (round < of.size()) {
          CommitLog.Entry<R> entry = of.get(round);
          if (entry.seq() != seqs[i] + 1) {
            throw gone(i); // seqs commit without a hole: a missing one was pruned
          }
          full = !take(i, entry, false, taken.get(i), weight);
          oldest = Math.min(oldest, entry.committedAtMs());
        }
      }
    }
    drained = !full && byMarket.stream().allMatch(of -> of.size() < ENTRIES_PER_MARKET);
    return oldest;
  }

  @Override
  public void whenMore(Runnable wake) {
    cancelWait();
    cancelWait = watch.await(keys, seqs.clone(), wake);
  }

  @Override
  public void ended() {
    cancelWait();
    if (!closed) {
      closed = true;
      metrics.closed(keys.length);
    }
  }

  private void cancelWait() {
    Runnable cancel = cancelWait;
    cancelWait = null;
    if (cancel != null) {
      cancel.run();
    }
  }

  private RuntimeException gone(int m) {
    metrics.outOfRetention();
    return Status.OUT_OF_RANGE.withDescription("the commit log no longer holds what this subscription has not received"
        + " of market " + exchangeIds[m] + "/" + pairNos[m] + " (it keeps commits for a bounded time, docs/subscribing.md):"
        + " subscribe again without resume_token, from a start_time_ms").asRuntimeException();
  }

  private <V> V inSnapshot(Jdbc.ConnectionWork<V> work) {
    return jdbc.inTransaction(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      }
      return work.apply(c);
    });
  }
}
