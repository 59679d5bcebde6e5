package io.tickvault.server.app;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Threads that do not keep the JVM alive, numbered after a prefix so a thread dump says whose they are. */
final class DaemonThreads {
  private DaemonThreads() {}

  static ThreadFactory named(String prefix) {
    return named(prefix, null);
  }

  /** As {@link #named(String)}, with what becomes of what no code caught on them (null: the JVM's default). */
  static ThreadFactory named(String prefix, Thread.UncaughtExceptionHandler uncaught) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      if (uncaught != null) {
        t.setUncaughtExceptionHandler(uncaught);
      }
      return t;
    };
  }
}
