package io.tickvault.server;

import io.tickvault.server.config.ServerConfig;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where calls run: two bounded sets of threads, so that one kind of work never waits behind the
 * other.
 *
 * <ul>
 *   <li>{@code transport}: gRPC's callbacks (reading a message, health, reflection, dispatching a
 *       call). They never block, so a few threads serve them all and health answers promptly
 *       while the database is slow or down.
 *   <li>{@code database}: what blocks on PostgreSQL or Redis (unary calls of the tickvault services,
 *       ingestion batches), sized from the connection pool.
 * </ul>
 * Neither queue refuses a task (gRPC would reset the stream, INTERNAL): what may queue is bounded
 * before it is queued instead, by the number of calls admitted
 * ({@link io.tickvault.server.grpc.DatabaseCalls}, {@link #MAX_DATABASE_CALLS}), by the streams a
 * connection may open, and by one writer task per ingestion stream.
 */
record CallExecutor(ExecutorService transport, ExecutorService database) {
  /** Unary and server-streaming calls waiting for or holding a database thread; one more is answered RESOURCE_EXHAUSTED. */
  static final int MAX_DATABASE_CALLS = 10_000;

  static CallExecutor start(ServerConfig config, Resources resources) {
    int transportThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    ExecutorService transport = fixed(transportThreads, "tickvault-grpc-", resources);
    ExecutorService database = fixed(config.databasePoolSize() * 2, "tickvault-db-", resources);
    return new CallExecutor(transport, database);
  }

  private static ExecutorService fixed(int threads, String prefix, Resources resources) {
    ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), DaemonThreads.named(prefix));
    resources.own(() -> {
      executor.shutdown();
      executor.awaitTermination(5, TimeUnit.SECONDS);
    });
    return executor;
  }
}
