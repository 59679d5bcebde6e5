package io.tickvault.client.cli;

import java.io.PrintWriter;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * Progress of a long transfer (a file being ingested, a range being read): rows, rate and time
 * left. On a terminal, one line redrawn in place with a bar, at most ten times a second; otherwise
 * (a log, a pipe, CI) a plain line every few seconds, so logs stay readable. The share done is the
 * file's bytes read, or the milliseconds of a time range read. Rate and ETA follow the last
 * {@value #WINDOW_MS} ms, not the average since the start, so a slow start (connecting, a
 * reconnect) does not skew them for long.
 */
final class Progress {
  private static final long TERMINAL_REDRAW_MS = 100;
  private static final long PLAIN_LINE_MS = 5_000;
  private static final long WINDOW_MS = 10_000;
  private static final long SAMPLE_MS = 250;
  private static final int BAR_WIDTH = 30;

  private record Sample(long ms, long rows, long bytes) {}

  private final PrintWriter out;
  private final boolean terminal;
  private final InstantSource clock;
  private final String unit;
  private final String verb;
  private long totalBytes;
  private final long startMs;
  private final ArrayDeque<Sample> window = new ArrayDeque<>();
  private long lastShownMs;
  private boolean lineOpen;

  /** @param totalBytes the file's size, or -1 when unknown (standard input): no bar, no ETA */
  Progress(PrintWriter out, boolean terminal, InstantSource clock, String unit, long totalBytes) {
    this(out, terminal, clock, unit, "sent", totalBytes);
  }

  /** With the verb of the last line ("sent 5 trades in …", "read 5 trades in …"). */
  Progress(PrintWriter out, boolean terminal, InstantSource clock, String unit, String verb, long totalBytes) {
    this.out = out;
    this.verb = verb;
    this.terminal = terminal;
    this.clock = clock;
    this.unit = unit;
    this.totalBytes = totalBytes;
    this.startMs = clock.millis();
    this.lastShownMs = startMs;
    window.add(new Sample(startMs, 0, 0));
  }

  /** Sets the total once it is known (a read from the first record learns it from that record). */
  void total(long total) {
    this.totalBytes = total;
  }

  /** Called often; shows something only when it is time to. */
  void update(long rows, long bytesRead) {
    long now = clock.millis();
    if (now - window.peekLast().ms() >= SAMPLE_MS) {
      window.add(new Sample(now, rows, bytesRead));
      while (window.size() > 2 && now - window.peekFirst().ms() > WINDOW_MS) {
        window.poll();
      }
    }
    if (now - lastShownMs < (terminal ? TERMINAL_REDRAW_MS : PLAIN_LINE_MS)) {
      return;
    }
    lastShownMs = now;
    if (terminal) {
      out.print("\r" + bar(rows, bytesRead, now) + "\u001b[K"); // ESC[K clears the rest of the line
      lineOpen = true;
    } else {
      out.println(plain(rows, bytesRead, now));
    }
    out.flush();
  }

  /** A line of its own (a reconnect, a warning), keeping the bar below it on a terminal. */
  void note(String text) {
    clearLine();
    out.println(text);
    out.flush();
  }

  /** The last word: how many rows in how long. */
  void finish(long rows) {
    long elapsedMs = Math.max(1, clock.millis() - startMs);
    if (terminal) {
      out.print("\r\u001b[K");
      lineOpen = false;
    }
    out.printf(Locale.ROOT, "%s %,d %s in %.1f s (%,.0f %s/s)%n",
        verb, rows, unit, elapsedMs / 1000.0, rows * 1000.0 / elapsedMs, unit);
    out.flush();
  }

  /** Leaves the terminal line clean, for a message that ends the run early. */
  void clearLine() {
    if (lineOpen) {
      out.print("\r\u001b[K");
      lineOpen = false;
    }
  }

  String bar(long rows, long bytesRead, long now) {
    if (totalBytes < 0) {
      return String.format(Locale.ROOT, "%,d %s  %,.0f/s", rows, unit, rate(rows, now));
    }
    double fraction = fraction(bytesRead);
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return String.format(Locale.ROOT, "[%s%s] %3.0f%%  %,d %s  %,.0f/s  ETA %s",
        "#".repeat(filled), " ".repeat(BAR_WIDTH - filled), fraction * 100, rows, unit,
        rate(rows, now), eta(bytesRead, now));
  }

  String plain(long rows, long bytesRead, long now) {
    if (totalBytes < 0) {
      return String.format(Locale.ROOT, "progress: %,d %s, %,.0f %s/s", rows, unit, rate(rows, now), unit);
    }
    return String.format(Locale.ROOT, "progress: %,d %s (%.0f%%), %,.0f %s/s, ETA %s",
        rows, unit, fraction(bytesRead) * 100, rate(rows, now), unit, eta(bytesRead, now));
  }

  private double fraction(long bytesRead) {
    return totalBytes <= 0 ? 1 : Math.min(1, (double) bytesRead / totalBytes);
  }

  /** Rows per second over the window. */
  private double rate(long rows, long now) {
    Sample oldest = window.peekFirst();
    return (rows - oldest.rows()) * 1000.0 / Math.max(1, now - oldest.ms());
  }

  /** The bytes left at the window's byte rate. */
  private String eta(long bytesRead, long now) {
    Sample oldest = window.peekFirst();
    double bytesPerMs = (double) (bytesRead - oldest.bytes()) / Math.max(1, now - oldest.ms());
    if (bytesPerMs <= 0) {
      return "--:--";
    }
    long leftSeconds = Math.round(Math.max(0, totalBytes - bytesRead) / bytesPerMs / 1000.0);
    return String.format(Locale.ROOT, "%d:%02d", leftSeconds / 60, leftSeconds % 60);
  }
}
