package io.tickvault.client.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;

/**
 * Progress of a long transfer (a file being ingested, a range being read): rows, rate and time
 * left. On a terminal, one line redrawn in place with a bar, at most ten times a second; otherwise
 * (a log, a pipe, CI) a plain line every few seconds, so logs stay readable. The ETA comes from the
 * share of the total done: the file's bytes read, or the milliseconds of a time range read.
 */
final class Progress {
  private static final long TERMINAL_REDRAW_MS = 100;
  private static final long PLAIN_LINE_MS = 5_000;
  private static final int BAR_WIDTH = 30;

  private final PrintWriter out;
  private final boolean terminal;
  private final Clock clock;
  private final String unit;
  private final String verb;
  private long totalBytes;
  private final long startMs;
  private long lastShownMs;

  Progress(PrintWriter out, boolean terminal, Clock clock, String unit, long totalBytes) {
    this(out, terminal, clock, unit, "sent", totalBytes);
  }

  /** With the verb of the last line ("sent 5 trades in …", "read 5 trades in …"). */
  Progress(PrintWriter out, boolean terminal, Clock clock, String unit, String verb, long totalBytes) {
    this.out = out;
    this.verb = verb;
    this.terminal = terminal;
    this.clock = clock;
    this.unit = unit;
    this.totalBytes = totalBytes;
    this.startMs = clock.millis();
    this.lastShownMs = startMs;
  }

  /** Sets the total once it is known (a read from the first record learns it from that record). */
  void total(long total) {
    this.totalBytes = total;
  }

  /** Called often; shows something only when it is time to. */
  void update(long rows, long bytesRead) {
    long now = clock.millis();
    if (now - lastShownMs < (terminal ? TERMINAL_REDRAW_MS : PLAIN_LINE_MS)) {
      return;
    }
    lastShownMs = now;
    if (terminal) {
      out.print("\r" + bar(rows, bytesRead, now) + "\u001b[K"); // ESC[K clears the rest of the line
    } else {
      out.println(plain(rows, bytesRead, now));
    }
    out.flush();
  }

  /** The last word: how many rows in how long. */
  void finish(long rows) {
    long elapsedMs = Math.max(1, clock.millis() - startMs);
    if (terminal) {
      out.print("\r\u001b[K");
    }
    out.printf(Locale.ROOT, "%s %,d %s in %.1f s (%,.0f %s/s)%n",
        verb, rows, unit, elapsedMs / 1000.0, rows * 1000.0 / elapsedMs, unit);
    out.flush();
  }

  String bar(long rows, long bytesRead, long now) {
    double fraction = fraction(bytesRead);
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return String.format(Locale.ROOT, "[%s%s] %3.0f%%  %,d %s  %,.0f/s  ETA %s",
        "#".repeat(filled), " ".repeat(BAR_WIDTH - filled), fraction * 100, rows, unit,
        rate(rows, now), eta(fraction, now));
  }

  String plain(long rows, long bytesRead, long now) {
    double fraction = fraction(bytesRead);
    return String.format(Locale.ROOT, "progress: %,d %s (%.0f%%), %,.0f %s/s, ETA %s",
        rows, unit, fraction * 100, rate(rows, now), unit, eta(fraction, now));
  }

  private double fraction(long bytesRead) {
    return totalBytes <= 0 ? 1 : Math.min(1, (double) bytesRead / totalBytes);
  }

  private double rate(long rows, long now) {
    return rows * 1000.0 / Math.max(1, now - startMs);
  }

  private String eta(double fraction, long now) {
    if (fraction <= 0) {
      return "--:--";
    }
    long elapsedMs = now - startMs;
    long leftSeconds = Math.round(elapsedMs * (1 - fraction) / fraction / 1000.0);
    return String.format(Locale.ROOT, "%d:%02d", leftSeconds / 60, leftSeconds % 60);
  }
}
