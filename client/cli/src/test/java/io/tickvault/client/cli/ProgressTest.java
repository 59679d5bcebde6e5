package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class ProgressTest {
  /** The time the progress reads, moved by hand. */
  private Instant now = Instant.parse("2026-11-26T00:00:00Z");
  private final InstantSource clock = () -> now;
  private final StringWriter text = new StringWriter();

  @Test
  void terminal_redrawsOneLineWithBarRowsRateAndEta() {
    Progress progress = new Progress(new PrintWriter(text), true, clock, "trades", 1000);

    now = now.plus(Duration.ofSeconds(2));
    progress.update(5_000, 250); // a quarter of the file in 2 s: 6 s left

    assertThat(text.toString()).isEqualTo(
        "\r[########                      ]  25%  5,000 trades  2,500/s  ETA 0:06\u001b[K");
  }

  @Test
  void terminal_redrawsAtMostTenTimesASecond() {
    Progress progress = new Progress(new PrintWriter(text), true, clock, "trades", 1000);

    now = now.plus(Duration.ofMillis(150));
    progress.update(1, 10);
    now = now.plus(Duration.ofMillis(50));
    progress.update(2, 20);

    assertThat(text.toString().chars().filter(c -> c == '\r')).hasSize(1);
  }

  @Test
  void notATerminal_writesPlainLinesEveryFiveSeconds() {
    Progress progress = new Progress(new PrintWriter(text), false, clock, "trades", 1000);

    now = now.plus(Duration.ofSeconds(1));
    progress.update(1_000, 100); // too soon: nothing
    now = now.plus(Duration.ofSeconds(4));
    progress.update(5_000, 500);
    now = now.plus(Duration.ofSeconds(5));
    progress.finish(10_000);

    assertThat(text.toString()).isEqualTo(
        "progress: 5,000 trades (50%), 1,000 trades/s, ETA 0:05\n"
            + "sent 10,000 trades in 10.0 s (1,000 trades/s)\n");
    assertThat(text.toString()).doesNotContain("\r");
  }

  @Test
  void rateAndEta_followTheLastTenSeconds_notTheAverageSinceTheStart() {
    Progress progress = new Progress(new PrintWriter(text), false, clock, "trades", 100_000);

    // 20 s of a slow start (100 trades/s, 100 bytes/s), then 10 s at 10,000 trades/s (10,000 bytes/s).
    long rows = 0;
    long bytes = 0;
    for (int s = 0; s < 20; s++) {
      now = now.plus(Duration.ofSeconds(1));
      progress.update(rows += 100, bytes += 100);
    }
    for (int s = 0; s < 10; s++) {
      now = now.plus(Duration.ofSeconds(1));
      progress.update(rows += 10_000, bytes += 10_000);
    }

    // 102,000 rows and 102,000 bytes... of 100,000: capped; take the line before the end instead.
    String last = text.toString().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(last).isEqualTo("progress: 102,000 trades (100%), 10,000 trades/s, ETA 0:00");
    assertThat(progress.plain(52_000, 52_000, clock.millis())).contains("5,000 trades/s"); // (52,000 - 2,000) / 10 s
  }

  @Test
  void unknownSize_showsRowsAndRateWithoutEta() {
    Progress progress = new Progress(new PrintWriter(text), false, clock, "trades", -1);

    now = now.plus(Duration.ofSeconds(5));
    progress.update(5_000, 123);

    assertThat(text.toString()).isEqualTo("progress: 5,000 trades, 1,000 trades/s\n");
  }
}
