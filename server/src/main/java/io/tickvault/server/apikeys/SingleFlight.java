package io.tickvault.server.apikeys;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Concurrent loads of one key share one execution: the first caller runs the load, the others
 * wait for its result (or its failure). A thundering herd of misses for one user thus costs
 * PostgreSQL one query per process.
 */
final class SingleFlight<K, V> {
  private final ConcurrentHashMap<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();
  private final Runnable onJoin;

  /** {@code onJoin} runs each time a caller waits for a load another caller is running. */
  SingleFlight(Runnable onJoin) {
    this.onJoin = onJoin;
  }

  V load(K key, Supplier<V> loader) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      onJoin.run();
      return await(running);
    }
    try {
      V value = loader.get();
      mine.complete(value);
      return value;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  private static <V> V await(CompletableFuture<V> running) {
    try {
      return running.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }
}
