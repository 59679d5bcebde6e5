package io.tickvault.server.audit;

import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.metrics.AuditMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of this server: {@link #CHAINS} writers ({@link AuditWriter}), each with a chain,
 * a spool file and a thread of its own, so that several groups commit at once instead of one after
 * the other; records are handed to them in turn. Each chain verifies on its own, and reads order
 * records by time, chain and seq, so several chains per server cost a reader nothing.
 *
 * <p>Two ways in. {@link #recordDurably} is for a call that is about to return a secret: it
 * completes once the record is durable, and fails within {@link #DURABLE_WITHIN}, or at once when
 * every writer's queue is full, so the call can be UNAVAILABLE instead. {@link #record} is for
 * every other call: it never waits, and a record that finds every queue full is dropped and
 * counted. The queues are bounded, together, in records and bytes.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  /** How long a secret waits for its record to be durable before its call is UNAVAILABLE. */
  public static final Duration DURABLE_WITHIN = Duration.ofSeconds(1);
  /** The chains, and writers, of one server: as many groups commit at once. */
  public static final int CHAINS = 4;
  /** The records the queues hold at most, all writers together, and their bytes. */
  static final int MAX_QUEUED = 20_000;
  static final long MAX_QUEUED_BYTES = 8L * 1024 * 1024;
  /** How long {@link #close} waits for the writers to write what is queued. */
  private static final Duration CLOSE_WITHIN = Duration.ofSeconds(5);

  private final List<AuditWriter> writers = new ArrayList<>(CHAINS);
  private final AtomicInteger next = new AtomicInteger();
  private final Clock clock;
  private final AuditMetrics metrics;
  private final RateLimitedLog failures;

  /**
   * @param repository on a pool of the writers' own with a connection per writer ({@link #CHAINS}),
   *     whose connections fail fast
   * @param databaseReachable what the server's health check last found: while false, PostgreSQL is not tried
   */
  public AuditLog(AuditKeys keys, AuditRepository repository, Path spoolDir, long maxSpoolBytes,
                  BooleanSupplier databaseReachable, PrometheusRegistry registry, Clock clock, LongSupplier nanoTime) {
    this.clock = clock;
    this.failures = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    List<AuditChain> chains = new ArrayList<>(CHAINS);
    for (int i = 0; i < CHAINS; i++) {
      chains.add(new AuditChain(UUID.randomUUID(), keys));
    }
    Set<UUID> ids = Set.copyOf(chains.stream().map(AuditChain::id).toList());
    this.metrics = new AuditMetrics(registry, this::spooledRecords, this::oldestUnshippedSeconds, this::queued,
        () -> writers.stream().map(AuditWriter::head).toList());
    for (int i = 0; i < CHAINS; i++) {
      AuditChain chain = chains.get(i);
      // Every spool leaves its siblings' files alone; the first one alone takes dead servers' files.
      AuditSpool spool = new AuditSpool(spoolDir, chain.id(), ids, maxSpoolBytes);
      writers.add(new AuditWriter(String.valueOf(i), chain, spool, i == 0, MAX_QUEUED / CHAINS,
          MAX_QUEUED_BYTES / CHAINS, repository, databaseReachable, metrics, clock, nanoTime));
    }
  }

  /** Starts the writers, after taking the spool files of servers that stopped without shipping them. */
  public AuditLog start() {
    writers.forEach(AuditWriter::start);
    return this;
  }

  /** This server's chains. */
  public List<UUID> chainIds() {
    return writers.stream().map(AuditWriter::chainId).toList();
  }

  /**
   * Queues the record and returns what completes once it is durable (in PostgreSQL or a spool); it
   * fails with {@link AuditUnavailableException} when every queue is full, when it is not durable
   * within {@link #DURABLE_WITHIN}, or when neither could take it.
   */
  public CompletableFuture<Void> recordDurably(AuditEvent event) {
    CompletableFuture<Void> durable = new CompletableFuture<>();
    if (!offer(new AuditWriter.Pending(event, durable))) {
      durable.completeExceptionally(new AuditUnavailableException(
          "the audit trail takes no more records now (it is behind, or the server is stopping): retry later"));
      return durable;
    }
    durable.orTimeout(DURABLE_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    return durable;
  }

  /** Queues the record without waiting for it; dropped and counted when every queue is full. */
  public void record(AuditEvent event) {
    if (!offer(new AuditWriter.Pending(event, null))) {
      metrics.dropped.inc();
      failures.warn("audit: a record of " + event.method() + " was dropped: " + MAX_QUEUED
          + " records are waiting for the writers");
    }
  }

  /** To the next writer in turn, or to the one after it when its queue is full. */
  private boolean offer(AuditWriter.Pending pending) {
    int first = Math.floorMod(next.getAndIncrement(), CHAINS);
    for (int i = 0; i < CHAINS; i++) {
      if (writers.get((first + i) % CHAINS).offer(pending)) {
        return true;
      }
    }
    return false;
  }

  private double queued() {
    return writers.stream().mapToInt(AuditWriter::queued).sum();
  }

  private double spooledRecords() {
    return writers.stream().mapToLong(AuditWriter::spooledRecords).sum();
  }

  private double oldestUnshippedSeconds() {
    long oldest = Long.MAX_VALUE;
    for (AuditWriter writer : writers) {
      if (writer.spooledRecords() > 0) {
        oldest = Math.min(oldest, writer.oldestUnshippedMs());
      }
    }
    return oldest == Long.MAX_VALUE ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
  }

  /** Writes what is queued, logs each chain's head, and closes the spools (left for the next server when not shipped). */
  @Override
  public void close() {
    writers.forEach(AuditWriter::close);
    long deadline = System.nanoTime() + CLOSE_WITHIN.toNanos();
    writers.forEach(w -> w.awaitClosed(deadline));
  }
}
