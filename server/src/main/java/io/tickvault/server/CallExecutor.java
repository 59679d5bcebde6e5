package io.tickvault.server;

import io.tickvault.server.config.ServerConfig;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where calls run. JDBC blocks: keep it off the Netty event loops, on a bounded pool of its own,
 * sized from the connection pool. The queue bound turns overload into fast rejections instead of
 * unbounded memory. One executor serves both the gRPC calls and the ingestion writers today;
 * separate executors for transport and database work would be created here.
 */
final class CallExecutor {
  static final int QUEUE_CAPACITY = 10_000;

  private CallExecutor() {}

  static ThreadPoolExecutor start(ServerConfig config, Resources resources) {
    int threads = config.databasePoolSize() * 2;
    ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUE_CAPACITY), DaemonThreads.named("tickvault-call-"));
    resources.own(() -> {
      executor.shutdown();
      executor.awaitTermination(5, TimeUnit.SECONDS);
    });
    return executor;
  }
}
