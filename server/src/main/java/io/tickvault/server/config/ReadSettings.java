package io.tickvault.server.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * The bounds of the read streams (ReadTrades, ReadOrderBooks) the operator chooses.
 *
 * @param bufferBytes the bytes all read streams together may have fetched and not yet seen leave
 *     for their clients; 0: a quarter of the JVM's direct memory limit
 * @param stallTimeout a read stream whose client takes nothing of what was sent for this long is
 *     ended
 */
public record ReadSettings(long bufferBytes, Duration stallTimeout) {
  public static final long DEFAULT_BUFFER_BYTES = 0;
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);

  private static final long MIB = 1024 * 1024;
  private static final Bounds BUFFER_MB = Bounds.number("TICKVAULT_READ_BUFFER_MB", 0, 1 << 20);
  private static final Bounds STALL_TIMEOUT = Bounds.positive("TICKVAULT_READ_STALL_TIMEOUT_SECONDS", ChronoUnit.SECONDS, 3600);

  public ReadSettings {
    BUFFER_MB.check(bufferBytes / MIB);
    STALL_TIMEOUT.check(stallTimeout);
  }

  static ReadSettings fromEnvironment(EnvReader env) {
    return new ReadSettings(env.integer(BUFFER_MB, 0) * MIB, env.duration(STALL_TIMEOUT, DEFAULT_STALL_TIMEOUT));
  }
}
