package io.tickvault.server.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when a test says so, or by a step each time it is read. */
public final class MutableClock extends Clock {
  private final Duration step;
  private Instant now;

  public MutableClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"), Duration.ZERO);
  }

  /** A clock at {@code start} that moves by {@code step} each time it is read, before answering. */
  public MutableClock(Instant start, Duration step) {
    this.now = start;
    this.step = step;
  }

  public synchronized void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public synchronized Instant instant() {
    now = now.plus(step);
    return now;
  }
}
