package io.tickvault.server.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * The allowed values of one numeric setting, {@code min} to {@code max} in the unit of its
 * environment variable ({@code unit} null for a plain number). A duration set through the builder
 * may be finer than that unit: with {@code positive}, any duration above zero is at least the
 * minimum.
 */
record Bounds(String variable, ChronoUnit unit, long min, long max, boolean positive) {
  Bounds(String variable, ChronoUnit unit, long min, long max) {
    this(variable, unit, min, max, false);
  }

  static Bounds number(String variable, long min, long max) {
    return new Bounds(variable, null, min, max);
  }

  static Bounds positive(String variable, ChronoUnit unit, long max) {
    return new Bounds(variable, unit, 1, max, true);
  }

  void check(long value) {
    if (value < min || value > max) {
      throw outOfRange(value);
    }
  }

  void check(Duration value) {
    boolean tooLow = positive ? value.isNegative() || value.isZero() : value.compareTo(Duration.of(min, unit)) < 0;
    if (tooLow || value.compareTo(Duration.of(max, unit)) > 0) {
      throw outOfRange(unit == ChronoUnit.SECONDS ? value.toSeconds() : value.toMillis());
    }
  }

  private ConfigException outOfRange(long value) {
    return new ConfigException(variable + "=" + value + ": out of range (expected " + min + " to " + max + ")");
  }
}
