package io.tickvault.client.cli;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The CLI's ways of writing a time and a length of time, as picocli converters to milliseconds. */
final class TimeArguments {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w)?");

  private TimeArguments() {}

  /**
   * A point in time as epoch milliseconds: {@code 1764115200000}, or ISO-8601 —
   * {@code 2026-11-26T00:00:00Z}, {@code 2026-11-26T09:00+09:00}, {@code 2026-11-26T00:00} and
   * {@code 2026-11-26} (both UTC).
   */
  static final class EpochMillis implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      String text = value.trim();
      if (text.matches("\\d+")) {
        return Long.parseLong(text);
      }
      try {
        if (text.length() == 10) {
          return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        }
        if (text.endsWith("Z") || text.endsWith("z") || text.matches(".*[+-]\\d\\d:\\d\\d$")) {
          // Not Instant.parse: it wants the seconds; an offset date-time takes 00:01Z as well.
          return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT)).toInstant().toEpochMilli();
        }
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        throw new TypeConversionException("expected epoch milliseconds or an ISO-8601 time such as "
            + "2026-11-26T10:00:00Z or 2026-11-26, got '" + value + "'");
      }
    }
  }

  /** A half-open range of time, {@code [fromMs, untilMs)}, in epoch milliseconds. */
  record Span(long fromMs, long untilMs) {
    /** {@code FROM..UNTIL}, each written as {@link EpochMillis} takes it: {@code 2026-11-26..2026-11-27}. */
    static final class Converter implements ITypeConverter<Span> {
      @Override
      public Span convert(String value) {
        int dots = value.indexOf("..");
        if (dots < 0) {
          throw new TypeConversionException("expected FROM..UNTIL, such as 2026-11-26..2026-11-27 or "
              + "1764115200000..1764201600000, got '" + value + "'");
        }
        EpochMillis time = new EpochMillis();
        long from = time.convert(value.substring(0, dots));
        long until = time.convert(value.substring(dots + 2));
        if (until <= from) {
          throw new TypeConversionException("UNTIL must be after FROM (the range is [FROM, UNTIL)), got '" + value + "'");
        }
        return new Span(from, until);
      }
    }
  }

  /**
   * A length of time in milliseconds: a whole number with a unit — {@code 500ms}, {@code 30s},
   * {@code 1m}, {@code 4h}, {@code 1d}, {@code 1w} — or without one, in milliseconds.
   */
  static final class Millis implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new TypeConversionException("expected a whole number and a unit (ms, s, m, h, d, w) such as 1m or 4h, "
            + "or milliseconds, got '" + value + "'");
      }
      long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
        case "ms" -> 1L;
        case "s" -> 1_000L;
        case "m" -> 60_000L;
        case "h" -> 3_600_000L;
        case "d" -> 86_400_000L;
        default -> 604_800_000L;
      };
      try {
        return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
      } catch (ArithmeticException | NumberFormatException e) {
        throw new TypeConversionException("too long: '" + value + "'");
      }
    }
  }
}
