package io.tickvault.server.audit;

import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.metrics.AuditMetrics;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the audit trail's writers ({@link AuditLog} runs several): one thread takes whatever
 * records are queued to it and makes them durable as one group, in one PostgreSQL transaction or,
 * while PostgreSQL cannot take them, in one append and fsync of its own spool file
 * ({@link AuditSpool}), which it ships to PostgreSQL once it answers again. Records are numbered and
 * hash-chained in its own chain ({@link AuditChain}) in the order they are written, so writers never
 * wait for each other and their groups commit side by side.
 *
 * <p>The queue is bounded in records and bytes; {@link #offer} refuses past the bound, and the
 * caller decides what that means (UNAVAILABLE for a secret, a dropped record otherwise).
 */
final class AuditWriter {
  private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);
  /** The records written in one group at most. */
  static final int MAX_GROUP = 2_000;
  /** How long PostgreSQL is left alone after it failed: the spool takes the records meanwhile. */
  static final Duration DATABASE_RETRY = Duration.ofSeconds(1);
  /** How often a spool is looked at while PostgreSQL is down. */
  private static final Duration SHIP_POLL = Duration.ofMillis(100);
  /** How often the chain's head is logged, and the directory looked at for dead servers' spools. */
  static final Duration HEAD_LOG_INTERVAL = Duration.ofMinutes(1);

  /** A record waiting for the writer; {@code durable} is null for one nobody waits for. */
  record Pending(AuditEvent event, CompletableFuture<Void> durable) {}

  private final AuditChain chain;
  private final AuditRepository repository;
  private final AuditSpool spool;
  private final BooleanSupplier databaseReachable;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final AuditMetrics metrics;
  private final RateLimitedLog failures;
  private final boolean adoptsLeftovers;
  private final int maxQueued;
  private final long maxQueuedBytes;
  private final Thread writer;
  private final ExecutorService answers;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queuedOrClosed = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by lock
  private long queuedBytes; // guarded by lock
  private boolean closed; // guarded by lock

  // The writer thread's own.
  private long databaseRetryAt;
  private long nextHeadLog;
  private volatile AuditMetrics.Head head;
  private volatile long spooledRecords;

  /**
   * @param spool this writer's own, named by its chain
   * @param adoptsLeftovers whether this writer takes the spool files of dead servers (one writer of a server does)
   * @param repository on a pool of the writers' own, whose connections fail fast
   * @param databaseReachable what the server's health check last found: while false, PostgreSQL is not tried
   */
  AuditWriter(String name, AuditChain chain, AuditSpool spool, boolean adoptsLeftovers, int maxQueued,
              long maxQueuedBytes, AuditRepository repository, BooleanSupplier databaseReachable, AuditMetrics metrics,
              Clock clock, LongSupplier nanoTime) {
    this.chain = chain;
    this.repository = repository;
    this.spool = spool;
    this.adoptsLeftovers = adoptsLeftovers;
    this.maxQueued = maxQueued;
    this.maxQueuedBytes = maxQueuedBytes;
    this.databaseReachable = databaseReachable;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.metrics = metrics;
    this.failures = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    this.head = new AuditMetrics.Head(chain.id().toString(), 0);
    this.databaseRetryAt = nanoTime.getAsLong();
    this.nextHeadLog = nanoTime.getAsLong() + HEAD_LOG_INTERVAL.toNanos();
    this.writer = daemon(this::run, "tickvault-audit-writer-" + name);
    this.answers = Executors.newSingleThreadExecutor(r -> daemon(r, "tickvault-audit-answers-" + name));
  }

  private static Thread daemon(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  /** Starts the writer, after taking the spool files of servers that stopped without shipping them (when it adopts them). */
  void start() {
    if (adoptsLeftovers) {
      spool.adoptLeftovers();
    }
    spooledRecords = spool.unshippedRecords();
    log.info("audit chain {} started (key {}), spool in {}", chain.id(), chain.keyId(), spool.dir().toAbsolutePath());
    writer.start();
  }

  UUID chainId() {
    return chain.id();
  }

  /** The head of the chain as the metrics show it. */
  AuditMetrics.Head head() {
    return head;
  }

  /** Records in this writer's spool (its own and adopted files) not yet shipped. */
  long spooledRecords() {
    return spooledRecords;
  }

  /** The time of the oldest record in the spool not yet shipped, epoch ms; meaningless while there is none. */
  long oldestUnshippedMs() {
    return spool.oldestUnshippedMs();
  }

  /** Queues the record; false when the queue is full or the writer is closing. */
  boolean offer(Pending pending) {
    long bytes = pending.event().bytes();
    lock.lock();
    try {
      if (closed || queue.size() >= maxQueued || queuedBytes + bytes > maxQueuedBytes) {
        return false;
      }
      queue.add(pending);
      queuedBytes += bytes;
      if (queue.size() == 1) {
        queuedOrClosed.signal();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (true) {
      List<Pending> group;
      try {
        group = take();
      } catch (InterruptedException e) {
        return;
      }
      if (group == null) {
        return; // closed, and everything queued written
      }
      try {
        if (!group.isEmpty()) {
          write(group);
        }
        shipSome();
        logHeadWhenDue();
      } catch (RuntimeException e) {
        log.error("audit writer: unexpected failure; it goes on", e);
      }
    }
  }

  /** What is queued, at most {@link #MAX_GROUP}; waits for something unless the spool has work. Null once closed and empty. */
  private List<Pending> take() throws InterruptedException {
    lock.lock();
    try {
      if (queue.isEmpty() && !closed) {
        boolean shipping = spool.unshippedRecords() > 0;
        if (!shipping || !databaseMayAnswer()) {
          long untilHeadLog = Math.max(1, nextHeadLog - nanoTime.getAsLong());
          queuedOrClosed.awaitNanos(shipping ? Math.min(untilHeadLog, SHIP_POLL.toNanos()) : untilHeadLog);
        }
      }
      if (queue.isEmpty() && closed) {
        return null;
      }
      int n = Math.min(queue.size(), MAX_GROUP);
      List<Pending> group = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Pending p = queue.poll();
        queuedBytes -= p.event().bytes();
        group.add(p);
      }
      return group;
    } finally {
      lock.unlock();
    }
  }

  private void write(List<Pending> group) {
    List<AuditEvent> events = new ArrayList<>(group.size());
    group.forEach(p -> events.add(p.event()));
    List<ChainedRecord> records = chain.extend(events);
    String failure = null;
    boolean durable = false;
    // While the spool holds records, new ones go there too: shipping keeps every chain's order.
    if (spool.unshippedRecords() == 0 && databaseMayAnswer()) {
      try {
        repository.insert(records);
        metrics.written.inc(records.size());
        durable = true;
      } catch (RuntimeException e) {
        databaseFailed(e);
      }
    }
    if (!durable) {
      try {
        spool.append(records);
        spooledRecords = spool.unshippedRecords();
        metrics.spooled.inc(records.size());
        durable = true;
      } catch (IOException e) {
        failure = e.toString();
      }
    }
    if (durable) {
      chain.advance(records);
      head = new AuditMetrics.Head(chain.id().toString(), chain.lastSeq());
      // The answers held for these records are sent by the thread that completes them: not this
      // one, which goes on to the next group meanwhile.
      answers.execute(() -> group.forEach(p -> {
        if (p.durable() != null) {
          p.durable().complete(null);
        }
      }));
      return;
    }
    failures.warn("audit: " + records.size() + " records could be written neither to PostgreSQL nor to the spool ("
        + failure + "); the calls that wait for them are UNAVAILABLE");
    AuditUnavailableException unavailable = new AuditUnavailableException(
        "the audit trail can be written neither to PostgreSQL nor to its spool: retry later");
    for (Pending p : group) {
      if (p.durable() != null) {
        p.durable().completeExceptionally(unavailable);
      } else {
        metrics.dropped.inc();
      }
    }
  }

  /** Ships one part of the spool to PostgreSQL when there is some and PostgreSQL may answer. */
  private void shipSome() {
    if (spool.unshippedRecords() == 0 || !databaseMayAnswer()) {
      return;
    }
    AuditSpool.Shipment shipment;
    try {
      shipment = spool.nextShipment(MAX_GROUP);
    } catch (IOException e) {
      failures.warn("audit: cannot read the spool: " + e);
      databaseRetryAt = nanoTime.getAsLong() + DATABASE_RETRY.toNanos();
      return;
    }
    if (shipment == null) {
      return;
    }
    try {
      repository.insert(shipment.records());
    } catch (RuntimeException e) {
      databaseFailed(e);
      return;
    }
    try {
      spool.shipped(shipment);
    } catch (IOException e) {
      failures.warn("audit: shipped records could not be cut from the spool (" + e + "); they will be shipped again");
    }
    metrics.shipped.inc(shipment.records().size());
    spooledRecords = spool.unshippedRecords();
    if (spooledRecords == 0) {
      log.info("audit: the spool is shipped to PostgreSQL; records go there directly again");
    }
  }

  private boolean databaseMayAnswer() {
    return nanoTime.getAsLong() - databaseRetryAt >= 0 && databaseReachable.getAsBoolean();
  }

  private void databaseFailed(RuntimeException e) {
    databaseRetryAt = nanoTime.getAsLong() + DATABASE_RETRY.toNanos();
    failures.warn("audit: PostgreSQL did not take audit records (" + why(e) + "); they go to the spool in "
        + spool.dir().toAbsolutePath() + " until it does");
  }

  /** The driver's own reason, not the whole batch statement a BatchUpdateException repeats. */
  private static String why(RuntimeException e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof SQLException sql && sql.getNextException() != null) {
      t = sql.getNextException();
    }
    return t.getMessage();
  }

  private void logHeadWhenDue() {
    long now = nanoTime.getAsLong();
    if (now - nextHeadLog >= 0) {
      nextHeadLog = now + HEAD_LOG_INTERVAL.toNanos();
      logHead();
      if (adoptsLeftovers) {
        spool.adoptLeftovers();
        spooledRecords = spool.unshippedRecords();
      }
    }
  }

  /** The line an operator anchors elsewhere: the chain, its last durable seq and that record's hash. */
  private void logHead() {
    log.info("audit chain head: chain {} seq {} hash {}", chain.id(), chain.lastSeq(),
        HexFormat.of().formatHex(chain.head()));
  }

  /** Stops taking records; the writer writes what is queued, then ends ({@link #awaitClosed}). */
  void close() {
    lock.lock();
    try {
      closed = true;
      queuedOrClosed.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the writer to end, at most until {@code deadlineNanos}; logs the chain's head and closes the spool (left for the next server when not shipped). */
  void awaitClosed(long deadlineNanos) {
    try {
      writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    answers.shutdown(); // the answers already handed over are still sent
    if (!writer.isAlive()) {
      logHead();
      spool.close();
    }
  }
}
