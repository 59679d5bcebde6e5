package io.tickvault.server.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * The bounds of ingestion the operator chooses.
 *
 * @param maxBookLevels price levels allowed per order book side
 * @param bufferBytes the bytes all ingestion streams together may hold read but not yet written;
 *     0: an eighth of the maximum heap
 * @param streamIdleTimeout an ingestion stream that keeps the server waiting this long for its next
 *     request is ended; zero: never
 */
public record IngestSettings(int maxBookLevels, long bufferBytes, Duration streamIdleTimeout) {
  public static final int DEFAULT_MAX_BOOK_LEVELS = 1000;
  /** orderbook_levels.level_index is a smallint: 0 to 32767. */
  public static final int MAX_BOOK_LEVELS_LIMIT = Short.MAX_VALUE + 1;
  public static final long DEFAULT_BUFFER_BYTES = 0;
  public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(5);

  private static final long MIB = 1024 * 1024;
  private static final Bounds MAX_BOOK_LEVELS = Bounds.number("TICKVAULT_MAX_BOOK_LEVELS", 1, MAX_BOOK_LEVELS_LIMIT);
  private static final Bounds BUFFER_MB = Bounds.number("TICKVAULT_INGEST_BUFFER_MB", 0, 1 << 20);
  private static final Bounds STREAM_IDLE_TIMEOUT =
      new Bounds("TICKVAULT_STREAM_IDLE_TIMEOUT_SECONDS", ChronoUnit.SECONDS, 0, 86_400);

  public IngestSettings {
    MAX_BOOK_LEVELS.check(maxBookLevels);
    BUFFER_MB.check(bufferBytes / MIB);
    STREAM_IDLE_TIMEOUT.check(streamIdleTimeout);
  }

  static IngestSettings fromEnvironment(EnvReader env) {
    return new IngestSettings(env.integer(MAX_BOOK_LEVELS, DEFAULT_MAX_BOOK_LEVELS), env.integer(BUFFER_MB, 0) * MIB,
        env.duration(STREAM_IDLE_TIMEOUT, DEFAULT_STREAM_IDLE_TIMEOUT));
  }
}
