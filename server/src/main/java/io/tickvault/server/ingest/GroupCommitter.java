package io.tickvault.server.ingest;

import io.tickvault.server.db.DataAccessException;
import io.tickvault.server.db.StatementTimeout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes the batches of every stream of one record kind together: the batches handed in while
 * {@link #MAX_WRITING_ROWS} groups are writing their rows wait, and then go as one group, in one
 * transaction of the {@link RecordSink} (one COPY per table), whose answer is split back per
 * batch. Many small streams so make few large transactions instead of one each
 * (docs/ingestion.md#group-commit), and a stream alone at a low rate waits for no one: with
 * nothing being written its batch starts at once.
 *
 * <p>A group's place is taken by the next one as soon as its rows are in, while it commits, as one
 * stream's batches always did ({@link RecordSink#write}). A stream hands in its next batch only
 * once its previous one's rows are in, so its batches are written in stream order, never two in
 * one group. No thread waits for a group but the one writing it: each batch learns of its group's
 * progress through its {@link Ticket}.
 *
 * <p>A group fails as a whole when PostgreSQL is out of reach, busy or too slow: every batch in it
 * fails at once, and nothing is acknowledged that was not committed. Any other failure before the
 * rows were in (a statement PostgreSQL refused, a deadlock or serialization failure it rolled back,
 * a bug) is retried batch by batch, each in a transaction of its own, so it fails only the streams
 * whose own batch fails alone.
 */
final class GroupCommitter<R> {
  /** One batch's place in a group: when its rows are in, and what its write answered. */
  static final class Ticket<R> {
    private final List<R> records;
    final CompletableFuture<Void> rowsIn = new CompletableFuture<>();
    final CompletableFuture<boolean[]> written = new CompletableFuture<>();

    private Ticket(List<R> records) {
      this.records = records;
    }
  }

  /**
   * Groups writing their rows at once: more than one, so that PostgreSQL's cores all take rows and
   * one slow statement or fsync does not hold every stream; few, so that the batches that come
   * meanwhile still wait and go together.
   */
  static final int MAX_WRITING_ROWS = 4;

  private final RecordSink<R> sink;
  private final Executor writers;
  private final int maxGroupRecords;
  private final Object lock = new Object();
  private final ArrayDeque<Ticket<R>> waiting = new ArrayDeque<>(); // guarded by lock
  private int writingRows; // guarded by lock: groups writing their rows (not yet committing)

  /** @param maxGroupRecords whole batches are grouped up to about this many records (a batch larger goes alone) */
  GroupCommitter(RecordSink<R> sink, Executor writers, int maxGroupRecords) {
    this.sink = sink;
    this.writers = writers;
    this.maxGroupRecords = maxGroupRecords;
  }

  /** Hands in one batch's valid records; an empty batch is answered at once, without a transaction. */
  Ticket<R> submit(List<R> records) {
    Ticket<R> ticket = new Ticket<>(records);
    if (records.isEmpty()) {
      ticket.rowsIn.complete(null);
      ticket.written.complete(new boolean[0]);
      return ticket;
    }
    synchronized (lock) {
      waiting.add(ticket);
    }
    startNext();
    return ticket;
  }

  /** Starts the next group when batches wait and fewer than {@link #MAX_WRITING_ROWS} groups write their rows. */
  private void startNext() {
    List<Ticket<R>> group = new ArrayList<>();
    synchronized (lock) {
      if (writingRows >= MAX_WRITING_ROWS || waiting.isEmpty()) {
        return;
      }
      int records = 0;
      while (!waiting.isEmpty() && (group.isEmpty() || records + waiting.peek().records.size() <= maxGroupRecords)) {
        Ticket<R> next = waiting.poll();
        records += next.records.size();
        group.add(next);
      }
      writingRows++;
    }
    try {
      writers.execute(() -> write(group));
    } catch (RejectedExecutionException stopping) {
      // The server is stopping: these batches are not written, and their calls end retryable.
      synchronized (lock) {
        writingRows--;
      }
      for (Ticket<R> ticket : group) {
        ticket.rowsIn.complete(null);
        ticket.written.completeExceptionally(IngestFailures.SHUTTING_DOWN.asRuntimeException());
      }
      startNext();
    }
  }

  private void write(List<Ticket<R>> group) {
    boolean[] rowsDone = {false};
    Runnable rowsWritten = () -> {
      if (!rowsDone[0]) {
        rowsDone[0] = true;
        rowsIn(group);
      }
    };
    try {
      List<R> records = group.size() == 1 ? group.get(0).records : concatenate(group);
      boolean[] inserted = sink.write(records, rowsWritten);
      rowsWritten.run(); // a sink that wrote nothing may not have said so
      if (inserted.length != records.size()) {
        throw new IllegalStateException("sink answered " + inserted.length + " results for " + records.size() + " records");
      }
      int from = 0;
      for (Ticket<R> ticket : group) {
        int size = ticket.records.size();
        boolean[] own = new boolean[size];
        System.arraycopy(inserted, from, own, 0, size);
        from += size;
        ticket.written.complete(own);
      }
    } catch (Throwable t) {
      if (!rowsDone[0] && group.size() > 1 && !failsAlike(t) && !(t instanceof VirtualMachineError)) {
        // Nothing of the group is in: each batch alone, so one that cannot be written fails only its stream.
        for (Ticket<R> ticket : group) {
          writeAlone(ticket);
        }
        rowsWritten.run();
        return;
      }
      rowsWritten.run();
      for (Ticket<R> ticket : group) {
        ticket.written.completeExceptionally(t);
      }
      if (t instanceof VirtualMachineError fatal) {
        throw fatal;
      }
    }
  }

  private void writeAlone(Ticket<R> ticket) {
    try {
      ticket.written.complete(sink.write(ticket.records, () -> { }));
    } catch (Throwable t) {
      ticket.written.completeExceptionally(t); // whatever failed, its stream is answered, never left waiting
      if (t instanceof VirtualMachineError fatal) {
        throw fatal;
      }
    }
  }

  /** The group's rows are in: the next group may start, and each stream may hand in its next batch. */
  private void rowsIn(List<Ticket<R>> group) {
    synchronized (lock) {
      writingRows--;
    }
    startNext();
    for (Ticket<R> ticket : group) {
      ticket.rowsIn.complete(null);
    }
  }

  /** PostgreSQL unreachable, busy or too slow: each batch alone would fail the same way, only later. */
  private static boolean failsAlike(Throwable t) {
    return DataAccessException.isUnreachable(t) || DataAccessException.isPoolBusy(t) || StatementTimeout.isTimeout(t);
  }

  private static <R> List<R> concatenate(List<Ticket<R>> group) {
    int size = 0;
    for (Ticket<R> ticket : group) {
      size += ticket.records.size();
    }
    List<R> records = new ArrayList<>(size);
    for (Ticket<R> ticket : group) {
      records.addAll(ticket.records);
    }
    return records;
  }
}
