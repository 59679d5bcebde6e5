package io.tickvault.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tickvault.server.testing.MutableClock;
import java.time.Duration;
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
}
