package io.tickvault.server.grpc;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in order, on a shared executor: the events of one call stay
 * serialized, as gRPC promises a listener, while many calls share the threads.
 *
 * <p>A task that throws (even an {@link Error}, such as running out of direct memory while a
 * message is sent) is reported to the thread's uncaught-exception handler, which logs and counts
 * it, and the tasks after it still run: the call's end among them, which gives back what it holds.
 * The thread lives on.
 */
final class SerialExecutor implements Executor {
  private final Executor executor;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>(); // guarded by this
  private boolean running; // guarded by this

  SerialExecutor(Executor executor) {
    this.executor = executor;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    executor.execute(this::runAll);
  }

  private void runAll() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (Throwable e) {
        Thread thread = Thread.currentThread();
        thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
      }
    }
  }
}
