package io.tickvault.client.cli;

import io.grpc.Channel;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.Trade;
import io.tickvault.client.ReconnectListener;
import io.tickvault.client.TradeStreamWriter;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The trades of one file over several {@code StreamTrades} calls at once, so that PostgreSQL
 * copies one call's batch while the server checks the next of another (one call leaves it idle in
 * between). A trade goes to the call its key (exchange, pair, trade id) hashes to, so every trade
 * of a key goes through one call in file order: the first of two lines with the same key is the
 * one stored, as with one call. Counts are the sums of the calls'; each call's rejection indexes
 * are turned back into indexes of the whole file; the prefix acknowledged is the longest run of
 * trades from the start of the file that every call has acknowledged, so {@code --skip} of it
 * resumes without a gap. Coverage claims go on the first call after every other call has finished,
 * so the server stores them once every trade of the file is committed.
 */
final class TradeStreams implements IngestCommand.Sender<Trade> {
  /** The server takes at most this many coverage claims in one request. */
  private static final int MAX_CLAIMS_PER_REQUEST = 1_000;

  private final TradeStreamWriter[] writers;
  private final int[][] indexes; // per call: the file index (among trades sent) of each trade it was given
  private final int[] written; // per call: trades given to it
  private long sent;

  TradeStreams(Channel channel, int streams, int batchSize, ReconnectListener reconnects) {
    writers = new TradeStreamWriter[streams];
    indexes = new int[streams][1024];
    written = new int[streams];
    TradeStreamWriter.Options options = TradeStreamWriter.Options.DEFAULT.withMaxBatchTrades(batchSize);
    try {
      for (int i = 0; i < streams; i++) {
        writers[i] = TradeStreamWriter.open(channel, options);
        writers[i].onReconnect(reconnects);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public void write(Trade trade) throws InterruptedException {
    if (sent == Integer.MAX_VALUE) {
      throw new IllegalStateException("more than " + Integer.MAX_VALUE + " trades in one file: split it");
    }
    int call = writers.length == 1 ? 0 : Math.floorMod(hash(trade), writers.length);
    if (written[call] == indexes[call].length) {
      indexes[call] = Arrays.copyOf(indexes[call], indexes[call].length * 2);
    }
    indexes[call][written[call]++] = (int) sent++;
    writers[call].write(trade);
  }

  private static int hash(Trade trade) {
    int h = (trade.getExchangeId() * 31 + trade.getCurrencyPairNo()) * 31 + trade.getTradeIdBytes().hashCode();
    return h ^ (h >>> 16);
  }

  @Override
  public IngestCommand.Summary finish(List<CoverageClaim> claims) throws InterruptedException {
    for (TradeStreamWriter writer : writers) {
      writer.flush(); // every call's last batch on its way before waiting for any of them
    }
    TradeStreamWriter.Summary[] summaries = new TradeStreamWriter.Summary[writers.length];
    for (int i = writers.length - 1; i > 0; i--) {
      summaries[i] = writers[i].finish();
    }
    for (int i = 0; i < claims.size(); i++) { // the other calls' trades are committed: claim on the first call
      CoverageClaim c = claims.get(i);
      writers[0].claimCoverage(c.getExchangeId(), c.getCurrencyPairNo(), c.getFromTimeMs(), c.getUntilTimeMs());
      if ((i + 1) % MAX_CLAIMS_PER_REQUEST == 0) {
        writers[0].flush();
      }
    }
    summaries[0] = writers[0].finish();
    long received = 0;
    long inserted = 0;
    long duplicates = 0;
    long rejected = 0;
    int reconnects = 0;
    List<RejectedRecord> rejections = new ArrayList<>();
    for (int i = 0; i < writers.length; i++) {
      TradeStreamWriter.Summary summary = summaries[i];
      received += summary.written();
      inserted += summary.inserted();
      duplicates += summary.duplicates();
      rejected += summary.rejected();
      reconnects += summary.reconnects();
      for (RejectedRecord r : summary.rejections()) {
        long index = r.getIndex() >= 0 && r.getIndex() < written[i] ? indexes[i][(int) r.getIndex()] : -1;
        rejections.add(r.toBuilder().setIndex(index).build());
      }
    }
    return new IngestCommand.Summary(received, inserted, duplicates, rejected, rejections, reconnects,
        summaries[0].coverageStored(), summaries[0].coverageRejections());
  }

  @Override
  public boolean stop(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean all = true;
    for (TradeStreamWriter writer : writers) {
      all &= writer.stop(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    return all;
  }

  @Override
  public long acknowledged() {
    long acknowledged = 0;
    for (TradeStreamWriter writer : writers) {
      acknowledged += writer.acknowledgedTrades();
    }
    return acknowledged;
  }

  @Override
  public long acknowledgedPrefix() {
    long prefix = sent;
    for (int i = 0; i < writers.length; i++) {
      long acknowledged = writers[i].acknowledgedTrades();
      if (acknowledged < written[i]) { // its first trade not acknowledged bounds the run
        prefix = Math.min(prefix, indexes[i][(int) acknowledged]);
      }
    }
    return prefix;
  }

  @Override
  public void close() {
    for (TradeStreamWriter writer : writers) {
      if (writer != null) {
        writer.close();
      }
    }
  }
}
