package io.tickvault.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {
  @Test
  void repeatsWithinTheInterval_areCountedAndReportedWithTheNextLine() {
    Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-log-test");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    MutableClock clock = new MutableClock();
    RateLimitedLog log = new RateLimitedLog(logger, Duration.ofSeconds(10), clock);

    assertThat(log.warn("Redis down")).isTrue();
    assertThat(log.warn("Redis down")).isFalse();
    clock.advance(Duration.ofSeconds(9));
    assertThat(log.warn("Redis down")).isFalse();
    assertThat(log.warn("Redis down")).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(log.warn("Redis down")).isTrue();

    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("Redis down", "Redis down (3 similar lines suppressed in the last 10 s)");
  }

  static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
