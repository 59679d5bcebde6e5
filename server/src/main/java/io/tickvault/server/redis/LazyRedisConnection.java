package io.tickvault.server.redis;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Redis connection that may not exist yet. The server must start while Redis is down, so the
 * first connection is tried at start-up and then retried in the background until it succeeds;
 * from then on Lettuce reconnects by itself. Until then {@link #get()} returns null at once, so
 * a Redis that is known to be down costs a call nothing.
 */
public final class LazyRedisConnection<C extends AutoCloseable> implements AutoCloseable {
  public static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);

  private final Supplier<C> connect;
  private final Consumer<RuntimeException> onFailure;
  private volatile C connection;
  private volatile boolean closed;
  private ScheduledFuture<?> retries;

  public LazyRedisConnection(Supplier<C> connect, Consumer<RuntimeException> onFailure) {
    this.connect = connect;
    this.onFailure = onFailure;
  }

  /** Tries once now; on failure keeps trying on the scheduler every {@link #RETRY_INTERVAL}. */
  public synchronized void start(ScheduledExecutorService scheduler) {
    if (tryConnect()) {
      return;
    }
    long every = RETRY_INTERVAL.toMillis();
    retries = scheduler.scheduleWithFixedDelay(() -> {
      if (tryConnect()) {
        synchronized (this) {
          retries.cancel(false);
        }
      }
    }, every, every, TimeUnit.MILLISECONDS);
  }

  private boolean tryConnect() {
    if (closed) {
      return true;
    }
    try {
      C c = connect.get();
      synchronized (this) {
        if (closed) {
          closeQuietly(c);
          return true;
        }
        connection = c;
      }
      return true;
    } catch (RuntimeException e) {
      onFailure.accept(e);
      return false;
    }
  }

  /** The connection, or null while none could be made yet. */
  public C get() {
    return connection;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (retries != null) {
      retries.cancel(false);
    }
    if (connection != null) {
      closeQuietly(connection);
      connection = null;
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing a connection to a Redis that is gone
    }
  }
}
