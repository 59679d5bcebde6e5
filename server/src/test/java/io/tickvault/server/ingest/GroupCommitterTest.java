package io.tickvault.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.DataAccessException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batches of many streams written together: those handed in while the committer is busy go as
 * one group, each answered with its own part of the group's answer and only once the group's
 * write returned (committed); a group failing before its rows are in is retried batch by batch,
 * unless PostgreSQL is out of reach, which fails every batch of it at once.
 */
class GroupCommitterTest {
  private final ExecutorService writers = Executors.newCachedThreadPool();
  private final HeldSink sink = new HeldSink();
  private final GroupCommitter<Trade> committer = new GroupCommitter<>(sink, writers, 10_000);

  @AfterEach
  void stop() {
    sink.releaseAll();
    writers.shutdownNow();
  }

  @Test
  void batchesHandedInWhileTheCommitterIsBusy_goAsOneGroup_eachAnsweredWithItsOwnPart_onlyOnceCommitted() throws Exception {
    List<Write> busy = fillTheCommitter();

    GroupCommitter.Ticket<Trade> a = committer.submit(batch("a", 2));
    GroupCommitter.Ticket<Trade> b = committer.submit(batch("b", 3));
    GroupCommitter.Ticket<Trade> c = committer.submit(batch("c", 1));
    assertThat(sink.writes.poll(200, TimeUnit.MILLISECONDS)).as("no write starts while the committer is busy").isNull();

    busy.forEach(Write::commit);
    Write group = sink.next();
    assertThat(ids(group.records)).containsExactly("a0", "a1", "b0", "b1", "b2", "c0");
    group.rowsIn();
    assertThat(a.rowsIn).succeedsWithin(5, TimeUnit.SECONDS);
    assertThat(List.of(a.written, b.written, c.written)).as("nothing answered before the commit")
        .noneMatch(CompletableFuture::isDone);

    group.answer(new boolean[] {true, false, true, true, false, true}).commit();
    assertThat(a.written.get(5, TimeUnit.SECONDS)).containsExactly(true, false);
    assertThat(b.written.get(5, TimeUnit.SECONDS)).containsExactly(true, true, false);
    assertThat(c.written.get(5, TimeUnit.SECONDS)).containsExactly(true);
  }

  @Test
  void aGroupRefusedBeforeItsRowsAreIn_isRetriedBatchByBatch_failingOnlyTheBatchThatFailsAlone() throws Exception {
    List<Write> busy = fillTheCommitter();
    GroupCommitter.Ticket<Trade> good = committer.submit(batch("good", 2));
    GroupCommitter.Ticket<Trade> bad = committer.submit(batch("bad", 2));
    GroupCommitter.Ticket<Trade> other = committer.submit(batch("other", 1));
    busy.forEach(Write::commit);

    Write group = sink.next();
    assertThat(ids(group.records)).containsExactly("good0", "good1", "bad0", "bad1", "other0");
    group.fail(refused());
    Write alone = sink.next();
    assertThat(ids(alone.records)).containsExactly("good0", "good1");
    alone.commit();
    alone = sink.next();
    assertThat(ids(alone.records)).containsExactly("bad0", "bad1");
    alone.fail(refused());
    alone = sink.next();
    assertThat(ids(alone.records)).containsExactly("other0");
    alone.commit();

    assertThat(good.written.get(5, TimeUnit.SECONDS)).containsExactly(true, true);
    assertThat(other.written.get(5, TimeUnit.SECONDS)).containsExactly(true);
    assertThat(bad.written).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .withRootCauseInstanceOf(SQLException.class);
  }

  @Test
  void postgresOutOfReach_failsEveryBatchOfTheGroupAtOnce_andNothingIsAnswered() throws Exception {
    List<Write> busy = fillTheCommitter();
    GroupCommitter.Ticket<Trade> a = committer.submit(batch("a", 2));
    GroupCommitter.Ticket<Trade> b = committer.submit(batch("b", 1));
    busy.forEach(Write::commit);

    sink.next().fail(new DataAccessException("down", new SQLTransientConnectionException("connection refused", "08001")));

    assertThat(a.written).failsWithin(5, TimeUnit.SECONDS);
    assertThat(b.written).failsWithin(5, TimeUnit.SECONDS);
    assertThat(sink.writes.poll(200, TimeUnit.MILLISECONDS)).as("no batch written again alone").isNull();
  }

  @Test
  void aGroupThatFailsAfterItsRowsAreIn_failsEveryBatch_withoutWritingThemAgain() throws Exception {
    List<Write> busy = fillTheCommitter();
    GroupCommitter.Ticket<Trade> a = committer.submit(batch("a", 2));
    GroupCommitter.Ticket<Trade> b = committer.submit(batch("b", 1));
    busy.forEach(Write::commit);

    Write group = sink.next();
    group.rowsIn();
    group.fail(new DataAccessException("commit failed", new SQLException("could not serialize", "40001")));

    assertThat(a.written).failsWithin(5, TimeUnit.SECONDS);
    assertThat(b.written).failsWithin(5, TimeUnit.SECONDS);
    assertThat(sink.writes.poll(200, TimeUnit.MILLISECONDS)).as("its rows may have been in: not written again").isNull();
  }

  @Test
  void aBatchAlone_startsAtOnce() throws Exception {
    GroupCommitter.Ticket<Trade> a = committer.submit(batch("a", 1));
    sink.next().commit();
    assertThat(a.written.get(5, TimeUnit.SECONDS)).containsExactly(true);
  }

  /** As many single batches as the committer writes at once, each held before its rows are in. */
  private List<Write> fillTheCommitter() throws InterruptedException {
    List<Write> started = new ArrayList<>();
    for (int i = 0; i < GroupCommitter.MAX_WRITING_ROWS; i++) {
      committer.submit(batch("busy" + i + "-", 1));
      started.add(sink.next());
    }
    return started;
  }

  private static DataAccessException refused() {
    return new DataAccessException("a statement refused", new SQLException("invalid input syntax", "22P02"));
  }

  private static List<Trade> batch(String prefix, int size) {
    List<Trade> trades = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      trades.add(Trade.newBuilder().setExchangeId(1).setCurrencyPairNo(1).setTradeId(prefix + i).build());
    }
    return trades;
  }

  private static List<String> ids(List<Trade> trades) {
    return trades.stream().map(Trade::getTradeId).toList();
  }

  /** One write of the sink, held in its rows until {@link #rowsIn}, and in its commit until {@link #commit} or {@link #fail}. */
  private static class Write {
    final List<Trade> records;
    final CompletableFuture<Void> rows = new CompletableFuture<>();
    final CompletableFuture<boolean[]> end = new CompletableFuture<>();

    Write(List<Trade> records) {
      this.records = records;
    }

    Write rowsIn() {
      rows.complete(null);
      return this;
    }

    Write answer(boolean[] inserted) {
      rows.complete(null);
      end.complete(inserted);
      return this;
    }

    void commit() {
      rows.complete(null);
      end.complete(AcceptingSink.allInserted(records));
    }

    void fail(RuntimeException e) {
      end.completeExceptionally(e);
    }
  }

  /** A sink whose writes the test holds and ends: rows in, then the commit, or a failure before or after the rows. */
  private static final class HeldSink extends AcceptingSink {
    final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
    private final List<Write> all = new ArrayList<>();

    @Override
    public boolean[] write(List<Trade> records, Runnable rowsWritten) {
      Write write = new Write(List.copyOf(records));
      synchronized (all) {
        all.add(write);
      }
      writes.add(write);
      try {
        CompletableFuture.anyOf(write.rows, write.end).join();
        if (write.rows.isDone()) {
          rowsWritten.run();
        }
        return write.end.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw (RuntimeException) e.getCause();
      }
    }

    Write next() throws InterruptedException {
      Write write = writes.poll(5, TimeUnit.SECONDS);
      assertThat(write).as("a write started").isNotNull();
      return write;
    }

    void releaseAll() {
      synchronized (all) {
        all.forEach(w -> w.end.complete(AcceptingSink.allInserted(w.records)));
      }
    }
  }
}
