package io.tickvault.server.app;

import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.grpc.BlockingCalls;
import io.tickvault.server.grpc.HeavyReads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where calls run: three bounded sets of threads, so that one kind of work never waits behind
 * another, and the Netty event loops for what never blocks.
 *
 * <ul>
 *   <li>The event loop that read the call: GetApiKeys and GetMarketState, whose near-cache hits
 *       are answered there without a hand-off ({@link GrpcServer}); their misses go to
 *       {@code database} through {@link #nearMisses}.
 *   <li>{@code transport}: gRPC's callbacks of every other call (reading a message, health,
 *       reflection, dispatching a call). They never block, so a few threads serve them all and
 *       health answers promptly while the database is slow or down.
 *   <li>{@code database}: what blocks on PostgreSQL or Redis (unary calls of the tickvault services,
 *       near-cache misses, ingestion batches), sized from the connection pool.
 *   <li>{@code heavyReads}: the reads over a range (the RPCs declared heavy), on as many threads as
 *       their share of the pool ({@link HeavyReads#shareOf}), with at most
 *       {@link #HEAVY_WAITING_PER_THREAD} calls per thread waiting for their turn.
 * </ul>
 * Neither queue refuses a task (gRPC would reset the stream, INTERNAL): what may queue is bounded
 * before it is queued instead, by the number of calls admitted
 * ({@link io.tickvault.server.grpc.DatabaseCalls} and {@link BlockingCalls},
 * {@link #MAX_DATABASE_CALLS} each), by the streams a connection may open, by one writer task per
 * ingestion stream (the one that answers it; none while it waits for a write), and by the group
 * writes of ingestion (one writing its rows, the others committing, all on pool connections).
 */
record CallExecutor(ExecutorService transport, ExecutorService database, BlockingCalls nearMisses,
                    HeavyReads heavyReads) {
  /** Unary and server-streaming calls waiting for or holding a database thread; one more is answered RESOURCE_EXHAUSTED. */
  static final int MAX_DATABASE_CALLS = 10_000;
  /**
   * Heavy calls that may wait for their turn, per heavy-read thread: with reads of about a second,
   * a call admitted waits some seconds at most, and one past it is told at once to retry.
   */
  static final int HEAVY_WAITING_PER_THREAD = 8;

  /** @param uncaught what becomes of what no code caught on these threads (logged, counted) */
  static CallExecutor start(ServerConfig config, Thread.UncaughtExceptionHandler uncaught, Resources resources) {
    int transportThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    ExecutorService transport = fixed(transportThreads, "tickvault-grpc-", uncaught, resources);
    ExecutorService database = fixed(config.database().poolSize() * 2, "tickvault-db-", uncaught, resources);
    int heavyThreads = HeavyReads.shareOf(config.database().poolSize());
    ExecutorService heavy = fixed(heavyThreads, "tickvault-heavy-", uncaught, resources);
    return new CallExecutor(transport, database, new BlockingCalls(database, MAX_DATABASE_CALLS),
        new HeavyReads(heavy, heavyThreads, HEAVY_WAITING_PER_THREAD * heavyThreads));
  }

  private static ExecutorService fixed(int threads, String prefix, Thread.UncaughtExceptionHandler uncaught,
                                       Resources resources) {
    ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), DaemonThreads.named(prefix, uncaught));
    resources.own(() -> {
      executor.shutdown();
      executor.awaitTermination(5, TimeUnit.SECONDS);
    });
    return executor;
  }
}
