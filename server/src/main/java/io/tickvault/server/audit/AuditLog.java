package io.tickvault.server.audit;

import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.metrics.AuditMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
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
 * The audit trail's writer: one thread takes whatever records are queued and makes them durable as
 * one group, in one PostgreSQL transaction or, while PostgreSQL cannot take them, in one append
 * and fsync of the local spool ({@link AuditSpool}), which it ships to PostgreSQL once it answers
 * again. Records are numbered and hash-chained here ({@link AuditChain}) in the order they are
 * written.
 *
 * <p>Two ways in. {@link #recordDurably} is for a call that is about to return a secret: it
 * completes once the record is durable, and fails within {@link #DURABLE_WITHIN}, or at once when
 * the queue is full, so the call can be UNAVAILABLE instead. {@link #record} is for every other
 * call: it never waits, and a record that finds the queue full is dropped and counted. The queue is
 * bounded in records and bytes.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  /** How long a secret waits for its record to be durable before its call is UNAVAILABLE. */
  public static final Duration DURABLE_WITHIN = Duration.ofSeconds(1);
  /** The records the queue holds at most, and their bytes. */
  static final int MAX_QUEUED = 20_000;
  static final long MAX_QUEUED_BYTES = 8L * 1024 * 1024;
  /** The records written in one group at most. */
  static final int MAX_GROUP = 2_000;
  /** The longest a group waits to grow before it is written ({@link #awaitReturningCallers}). */
  static final Duration MAX_FILL_WAIT = Duration.ofMillis(1);
  /** How long PostgreSQL is left alone after it failed: the spool takes the records meanwhile. */
  static final Duration DATABASE_RETRY = Duration.ofSeconds(1);
  /** How often a spool is looked at while PostgreSQL is down. */
  private static final Duration SHIP_POLL = Duration.ofMillis(100);
  /** How often the chain's head is logged, and the directory looked at for dead servers' spools. */
  static final Duration HEAD_LOG_INTERVAL = Duration.ofMinutes(1);

  /** A record waiting for the writer; {@code durable} is null for one nobody waits for. */
  private record Pending(AuditEvent event, CompletableFuture<Void> durable) {}

  private final AuditChain chain;
  private final AuditRepository repository;
  private final AuditSpool spool;
  private final BooleanSupplier databaseReachable;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final AuditMetrics metrics;
  private final RateLimitedLog failures;
  private final Thread writer;
  private final ExecutorService answers =
      Executors.newSingleThreadExecutor(r -> daemon(r, "tickvault-audit-answers"));

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queuedOrClosed = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by lock
  private long queuedBytes; // guarded by lock
  private boolean closed; // guarded by lock
  /** The size at which the writer, letting a group grow, wants to be woken; MAX_VALUE when it does not. */
  private int fillTarget = Integer.MAX_VALUE; // guarded by lock

  // The writer thread's own.
  private int lastGroup;
  private long lastWriteNanos;
  private long databaseRetryAt;
  private long nextHeadLog;
  private volatile AuditMetrics.Head head;
  private volatile long spooledRecords;

  /**
   * @param repository on a pool of the writer's own, whose connections fail fast
   * @param databaseReachable what the server's health check last found: while false, PostgreSQL is not tried
   */
  public AuditLog(AuditKeys keys, AuditRepository repository, Path spoolDir, long maxSpoolBytes,
                  BooleanSupplier databaseReachable, PrometheusRegistry registry, Clock clock, LongSupplier nanoTime) {
    this.chain = new AuditChain(UUID.randomUUID(), keys);
    this.repository = repository;
    this.spool = new AuditSpool(spoolDir, chain.id(), maxSpoolBytes);
    this.databaseReachable = databaseReachable;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.failures = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    this.head = new AuditMetrics.Head(chain.id().toString(), 0);
    this.metrics = new AuditMetrics(registry, () -> spooledRecords, this::oldestUnshippedSeconds, this::queued,
        () -> head);
    this.databaseRetryAt = nanoTime.getAsLong();
    this.nextHeadLog = nanoTime.getAsLong() + HEAD_LOG_INTERVAL.toNanos();
    this.writer = daemon(this::run, "tickvault-audit-writer");
  }

  private static Thread daemon(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  /** Starts the writer, after taking the spool files of servers that stopped without shipping them. */
  public AuditLog start() {
    spool.adoptLeftovers();
    spooledRecords = spool.unshippedRecords();
    log.info("audit chain {} started (key {}), spool in {}", chain.id(), chain.keyId(), spool.dir().toAbsolutePath());
    writer.start();
    return this;
  }

  /** This server's chain. */
  public UUID chainId() {
    return chain.id();
  }

  /**
   * Queues the record and returns what completes once it is durable (in PostgreSQL or the spool);
   * it fails with {@link AuditUnavailableException} when the queue is full, when it is not durable
   * within {@link #DURABLE_WITHIN}, or when neither could take it.
   */
  public CompletableFuture<Void> recordDurably(AuditEvent event) {
    CompletableFuture<Void> durable = new CompletableFuture<>();
    if (!offer(new Pending(event, durable))) {
      durable.completeExceptionally(new AuditUnavailableException(
          "the audit trail takes no more records now (it is behind, or the server is stopping): retry later"));
      return durable;
    }
    durable.orTimeout(DURABLE_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    return durable;
  }

  /** Queues the record without waiting for it; dropped and counted when the queue is full. */
  public void record(AuditEvent event) {
    if (!offer(new Pending(event, null))) {
      metrics.dropped.inc();
      failures.warn("audit: a record of " + event.method() + " was dropped: " + MAX_QUEUED
          + " records are waiting for the writer");
    }
  }

  private boolean offer(Pending pending) {
    long bytes = pending.event().bytes();
    lock.lock();
    try {
      if (closed || queue.size() >= MAX_QUEUED || queuedBytes + bytes > MAX_QUEUED_BYTES) {
        return false;
      }
      queue.add(pending);
      queuedBytes += bytes;
      if (queue.size() == 1 || queue.size() == fillTarget) {
        queuedOrClosed.signal();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private double queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  private double oldestUnshippedSeconds() {
    return spooledRecords == 0 ? 0 : Math.max(0, clock.millis() - spool.oldestUnshippedMs()) / 1000.0;
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
          long start = nanoTime.getAsLong();
          write(group);
          lastWriteNanos = nanoTime.getAsLong() - start;
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
      int queuedDuringLastWrite = queue.size();
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
      if (!queue.isEmpty()) {
        awaitReturningCallers(Math.min(MAX_GROUP, lastGroup + queuedDuringLastWrite));
      }
      int n = Math.min(queue.size(), MAX_GROUP);
      List<Pending> group = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Pending p = queue.poll();
        queuedBytes -= p.event().bytes();
        group.add(p);
      }
      lastGroup = n;
      return group;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Lets the group grow to {@code target} records before it is written, for at most half the
   * last write's time ({@link #MAX_FILL_WAIT} at most). The target is the callers the last write
   * answered and those that queued meanwhile: a worker that reads its keys in a loop calls again as
   * soon as it is answered, and without this wait the callers split into two groups that take
   * turns, each waiting for the other's commit as well as its own (at 32 calls in flight, groups
   * of 16 and two commits per call). Holding the lock, under which only queueing waits.
   */
  private void awaitReturningCallers(int target) throws InterruptedException {
    long wait = Math.min(lastWriteNanos / 2, MAX_FILL_WAIT.toNanos());
    long deadline = nanoTime.getAsLong() + wait;
    fillTarget = target;
    try {
      while (queue.size() < target && !closed) {
        long left = deadline - nanoTime.getAsLong();
        if (left <= 0) {
          return;
        }
        queuedOrClosed.awaitNanos(left);
      }
    } finally {
      fillTarget = Integer.MAX_VALUE;
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
      spool.adoptLeftovers();
      spooledRecords = spool.unshippedRecords();
    }
  }

  /** The line an operator anchors elsewhere: the chain, its last durable seq and that record's hash. */
  private void logHead() {
    log.info("audit chain head: chain {} seq {} hash {}", chain.id(), chain.lastSeq(),
        HexFormat.of().formatHex(chain.head()));
  }

  /** Writes what is queued, logs the chain's head, and closes the spool (left for the next server when not shipped). */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      queuedOrClosed.signal();
    } finally {
      lock.unlock();
    }
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
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
