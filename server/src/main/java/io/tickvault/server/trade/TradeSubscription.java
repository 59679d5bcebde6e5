package io.tickvault.server.trade;

import io.grpc.Status;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.metrics.SubscriptionMetrics;
import io.tickvault.server.read.PageToken;
import io.tickvault.server.read.PagedStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One SubscribeTrades stream, step by step, at the pace of its client ({@link PagedStream} asks
 * for the next response only when the call is ready): the server holds one response per
 * subscriber, however far behind it is.
 *
 * <p>History phase, market after market: each step reads, in one repeatable-read snapshot, the
 * market's last commit seq S', the log entries in (S, S'] (S: the seq of the snapshot the previous
 * step read) and the next page of stored trades after the cursor. The entries' trades that sort at
 * or before the cursor were committed too late for the pages already sent: they are delivered now;
 * the others are in this page or the next ones. So after every step the trades delivered are
 * exactly those committed up to S' with a key up to the cursor, and the next step, in a later
 * snapshot, continues without a gap or a duplicate. The first market's S is read with every
 * other market's in one snapshot when the subscription starts; trades committed since, with a time
 * before start_time_ms, come as late ones. Then one response with caught_up, and the live phase:
 * every entry after each market's seq, in seq order, whatever the times of its trades.
 *
 * <p>A resume token holds exactly that state, so resuming is the same next step.
 */
final class TradeSubscription implements PagedStream.Pager<SubscribeTradesResponse> {
  /**
   * Stored trades in the first history page, as ReadTrades' default first page; each next one
   * doubles, up to {@link #MAX_HISTORY_PAGE}, as ReadTrades' pages do: a catch-up of a long history
   * costs ten times fewer queries.
   */
  static final int HISTORY_PAGE = 1_000;
  static final int MAX_HISTORY_PAGE = 10_000;
  /** Entries read per market and live step; the step keeps what fits in {@link #LIVE_MAX_TRADES}. */
  static final int LIVE_ENTRIES_PER_MARKET = 32;
  /** Trades in one live response, past which it takes no further entry (an entry is never split). */
  static final int LIVE_MAX_TRADES = 2_000;

  private final Jdbc jdbc;
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
  private int current;
  private long cursorTime;
  private String cursorId;
  private boolean announced;
  private int pageSize = HISTORY_PAGE;
  private Runnable cancelWait;
  private boolean closed;

  TradeSubscription(Jdbc jdbc, CommitWatch watch, SubscriptionMetrics metrics, Clock clock, long startTimeMs,
                    int[] exchangeIds, int[] pairNos, SubscriptionToken resumeFrom) {
    this.jdbc = jdbc;
    this.watch = watch;
    this.metrics = metrics;
    this.clock = clock;
    this.startTimeMs = startTimeMs;
    this.exchangeIds = exchangeIds;
    this.pairNos = pairNos;
    this.resumeFrom = resumeFrom;
    this.keys = new long[exchangeIds.length];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = CommitWatch.key(exchangeIds[i], pairNos[i]);
    }
    metrics.opened(keys.length);
  }

  @Override
  public PagedStream.Page<SubscribeTradesResponse> next() {
    if (!started) {
      start();
      started = true;
    }
    List<Trade> trades = new ArrayList<>();
    while (current < seqs.length && trades.isEmpty()) {
      historyStep(trades);
    }
    metrics.history(trades.size());
    // The last page of stored trades goes without caught_up; the next response carries it.
    boolean caughtUp = trades.isEmpty();
    if (caughtUp) {
      liveStep(trades);
      if (trades.isEmpty() && announced) {
        return null;
      }
      announced = true;
    }
    String token = new SubscriptionToken(startTimeMs, exchangeIds, pairNos, seqs.clone(), current, cursorTime, cursorId)
        .encode();
    SubscribeTradesResponse response = SubscribeTradesResponse.newBuilder()
        .addAllTrades(trades).setResumeToken(token).setCaughtUp(caughtUp).build();
    return new PagedStream.Page<>(response, response.getSerializedSize(), token, false);
  }

  /** Every market's seq in one snapshot, or the resume token's state once checked against them. */
  private void start() {
    long[] now = inSnapshot(c -> TradeCommitLog.seqs(c, exchangeIds, pairNos))[0];
    if (resumeFrom == null) {
      seqs = now;
      current = startTimeMs == 0 ? seqs.length : 0;
      cursorTime = startTimeMs;
      cursorId = "";
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
    current = resumeFrom.current();
    cursorTime = resumeFrom.cursorTime();
    cursorId = resumeFrom.cursorId();
    announced = false;
  }

  /** One page of market {@link #current}'s stored trades, after the late ones (see the class comment). */
  private void historyStep(List<Trade> trades) {
    int m = current;
    int e = exchangeIds[m];
    int p = pairNos[m];
    List<Trade> page = inSnapshot(c -> {
      long[][] now = TradeCommitLog.seqs(c, new int[] {e}, new int[] {p});
      long seq = now[0][0];
      if (seq > seqs[m]) {
        List<TradeCommitLog.Entry> entries = TradeCommitLog.entries(c, new int[] {e}, new int[] {p},
            new long[] {seqs[m]}, new long[] {seq}, Integer.MAX_VALUE);
        requireContiguous(m, seqs[m], entries, seq);
        for (TradeCommitLog.Entry entry : entries) {
          for (Trade t : entry.trades()) {
            if (compare(t.getTradeTimeMs(), t.getTradeId(), cursorTime, cursorId) <= 0) {
              trades.add(t);
            }
          }
        }
        seqs[m] = seq;
      }
      return TradeReader.after(c, e, p, cursorTime, cursorId, pageSize + 1);
    });
    boolean more = page.size() > pageSize;
    List<Trade> sent = more ? page.subList(0, pageSize) : page;
    pageSize = Math.min(2 * pageSize, MAX_HISTORY_PAGE);
    trades.addAll(sent);
    if (more) {
      Trade last = sent.get(sent.size() - 1);
      cursorTime = last.getTradeTimeMs();
      cursorId = last.getTradeId();
    } else {
      current++;
      cursorTime = startTimeMs;
      cursorId = "";
    }
  }

  /** The entries after each market's seq, a bounded response's worth, fairly across markets. */
  private void liveStep(List<Trade> trades) {
    long[] upto = new long[seqs.length];
    Arrays.fill(upto, Long.MAX_VALUE);
    List<TradeCommitLog.Entry> entries = jdbc.withConnection(c -> TradeCommitLog.entries(c, exchangeIds, pairNos, seqs,
        upto, LIVE_ENTRIES_PER_MARKET));
    if (entries.isEmpty()) {
      long[] pruned = jdbc.withConnection(c -> TradeCommitLog.seqs(c, exchangeIds, pairNos))[1];
      for (int i = 0; i < seqs.length; i++) {
        if (pruned[i] > seqs[i]) {
          throw gone(i);
        }
      }
      return;
    }
    List<List<TradeCommitLog.Entry>> byMarket = new ArrayList<>();
    for (int i = 0; i < seqs.length; i++) {
      byMarket.add(new ArrayList<>());
    }
    for (TradeCommitLog.Entry entry : entries) {
      byMarket.get(entry.market()).add(entry);
    }
    // Round robin: a busy market does not keep a quiet one waiting.
    long oldest = Long.MAX_VALUE;
    for (int round = 0; round < LIVE_ENTRIES_PER_MARKET && trades.size() < LIVE_MAX_TRADES; round++) {
      for (int i = 0; i < seqs.length && trades.size() < LIVE_MAX_TRADES; i++) {
        List<TradeCommitLog.Entry> of = byMarket.get(i);
        if (round < of.size()) {
          TradeCommitLog.Entry entry = of.get(round);
          if (entry.seq() != seqs[i] + 1) {
            throw gone(i); // seqs commit without a hole: a missing one was pruned
          }
          trades.addAll(entry.trades());
          seqs[i] = entry.seq();
          oldest = Math.min(oldest, entry.committedAtMs());
        }
      }
    }
    if (!trades.isEmpty()) {
      metrics.live(trades.size(), (clock.millis() - oldest) / 1000.0);
    }
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

  private void requireContiguous(int m, long after, List<TradeCommitLog.Entry> entries, long upto) {
    if (entries.size() != upto - after || (!entries.isEmpty() && entries.get(0).seq() != after + 1)) {
      throw gone(m);
    }
  }

  private RuntimeException gone(int m) {
    metrics.outOfRetention();
    return Status.OUT_OF_RANGE.withDescription("the commit log no longer holds what this subscription has not received"
        + " of market " + exchangeIds[m] + "/" + pairNos[m] + " (it keeps commits for a bounded time, docs/subscribing.md):"
        + " subscribe again without resume_token, from a start_time_ms").asRuntimeException();
  }

  private <T> T inSnapshot(Jdbc.ConnectionWork<T> work) {
    return jdbc.inTransaction(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      }
      return work.apply(c);
    });
  }

  /** Orders keys as the reads do: by time, then trade id byte by byte. */
  private static int compare(long time, String id, long otherTime, String otherId) {
    int byTime = Long.compare(time, otherTime);
    return byTime != 0 ? byTime : PageToken.compareUtf8(id, otherId);
  }
}
