package io.tickvault.client.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C during a run that sends records, in two steps. The first interrupts the running thread
 * instead of killing the JVM, so that it stops sending, waits a few seconds for what is in flight,
 * and says exactly what was committed. A second ends the process at once (exit 130), after the
 * line the run gave {@link #onSecond} (what it knew to be committed then, which may be low).
 */
final class CtrlC implements AutoCloseable {
  private static final Signal INT = new Signal("INT");

  private final SignalHandler previous;
  private final AtomicBoolean pressed = new AtomicBoolean();
  private volatile Supplier<String> lastWords = () -> "interrupted again: quitting";

  private CtrlC(PrintWriter err, Thread runner) {
    previous = Signal.handle(INT, signal -> {
      if (pressed.compareAndSet(false, true)) {
        runner.interrupt();
        return;
      }
      err.println(lastWords.get());
      err.flush();
      Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
    });
  }

  /** Handles Ctrl-C for the calling thread until {@link #close()}. */
  static CtrlC install(PrintWriter err) {
    return new CtrlC(err, Thread.currentThread());
  }

  /** What a second Ctrl-C prints before the process ends; asked at that moment. */
  void onSecond(Supplier<String> words) {
    this.lastWords = words;
  }

  /** Gives Ctrl-C back to the JVM; a Ctrl-C that came after the run finished is not the next command's. */
  @Override
  public void close() {
    Signal.handle(INT, previous);
    Thread.interrupted();
  }
}
