package io.tickvault.server.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * What one client connection may hold, so that no caller (with a token or without: health is open)
 * can pin the server's memory or threads with connections and streams it never uses. A zero
 * duration turns that limit off. Each value is checked when the limits are made, naming its
 * variable.
 *
 * @param maxConcurrentStreams calls open at once on one connection (HTTP/2 MAX_CONCURRENT_STREAMS);
 *     a client past it waits for one to end, or opens another connection
 * @param maxConnectionIdle a connection without any call for this long is closed (GOAWAY); this also
 *     closes a socket that never sends an HTTP/2 preface
 * @param maxConnectionAge a connection older than this is told to go away (GOAWAY), so clients
 *     spread over replicas; the calls it carries go on for {@code maxConnectionAgeGrace}
 * @param maxConnectionAgeGrace how long calls may go on after the GOAWAY of an old connection; zero
 *     means as long as they run, so a long ingestion stream is never cut mid-batch by age
 * @param permitKeepAliveTime the shortest interval between client pings the server accepts; a
 *     client that pings more often is told to go away (ENHANCE_YOUR_CALM)
 * @param handshakeTimeout time allowed for the TLS handshake and protocol negotiation
 * @param maxResetsPer10Seconds stream resets (RST_STREAM) a client may send in 10 seconds before
 *     its connection is closed: open-then-reset floods cost the server work the client does not
 */
public record ConnectionLimits(int maxConcurrentStreams, Duration maxConnectionIdle, Duration maxConnectionAge,
                               Duration maxConnectionAgeGrace, Duration permitKeepAliveTime, Duration handshakeTimeout,
                               int maxResetsPer10Seconds) {
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
  public static final Duration DEFAULT_MAX_CONNECTION_IDLE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_MAX_CONNECTION_AGE = Duration.ofHours(1);
  public static final Duration DEFAULT_MAX_CONNECTION_AGE_GRACE = Duration.ZERO;
  /** The Java client pings every 30 s while a call is open: a little under that is allowed. */
  public static final Duration DEFAULT_PERMIT_KEEPALIVE_TIME = Duration.ofSeconds(20);
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_RESETS_PER_10_SECONDS = 1000;

  // Before DEFAULT, which they check.
  private static final Bounds MAX_CONCURRENT_STREAMS = Bounds.number("TICKVAULT_MAX_CONCURRENT_STREAMS", 1, 100_000);
  private static final Bounds MAX_CONNECTION_IDLE = new Bounds("TICKVAULT_MAX_CONNECTION_IDLE_SECONDS", ChronoUnit.SECONDS, 0, 604_800);
  private static final Bounds MAX_CONNECTION_AGE = new Bounds("TICKVAULT_MAX_CONNECTION_AGE_SECONDS", ChronoUnit.SECONDS, 0, 604_800);
  private static final Bounds MAX_CONNECTION_AGE_GRACE =
      new Bounds("TICKVAULT_MAX_CONNECTION_AGE_GRACE_SECONDS", ChronoUnit.SECONDS, 0, 604_800);
  private static final Bounds PERMIT_KEEPALIVE = Bounds.positive("TICKVAULT_PERMIT_KEEPALIVE_SECONDS", ChronoUnit.SECONDS, 86_400);
  private static final Bounds HANDSHAKE_TIMEOUT = Bounds.positive("TICKVAULT_HANDSHAKE_TIMEOUT_SECONDS", ChronoUnit.SECONDS, 600);
  private static final Bounds MAX_STREAM_RESETS = Bounds.number("TICKVAULT_MAX_STREAM_RESETS_PER_10S", 1, 1_000_000);

  public static final ConnectionLimits DEFAULT = new ConnectionLimits(DEFAULT_MAX_CONCURRENT_STREAMS,
      DEFAULT_MAX_CONNECTION_IDLE, DEFAULT_MAX_CONNECTION_AGE, DEFAULT_MAX_CONNECTION_AGE_GRACE,
      DEFAULT_PERMIT_KEEPALIVE_TIME, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_RESETS_PER_10_SECONDS);

  public ConnectionLimits {
    MAX_CONCURRENT_STREAMS.check(maxConcurrentStreams);
    MAX_CONNECTION_IDLE.check(maxConnectionIdle);
    MAX_CONNECTION_AGE.check(maxConnectionAge);
    MAX_CONNECTION_AGE_GRACE.check(maxConnectionAgeGrace);
    PERMIT_KEEPALIVE.check(permitKeepAliveTime);
    HANDSHAKE_TIMEOUT.check(handshakeTimeout);
    MAX_STREAM_RESETS.check(maxResetsPer10Seconds);
  }

  static ConnectionLimits fromEnvironment(EnvReader env) {
    return new ConnectionLimits(
        env.integer(MAX_CONCURRENT_STREAMS, DEFAULT_MAX_CONCURRENT_STREAMS),
        env.duration(MAX_CONNECTION_IDLE, DEFAULT_MAX_CONNECTION_IDLE),
        env.duration(MAX_CONNECTION_AGE, DEFAULT_MAX_CONNECTION_AGE),
        env.duration(MAX_CONNECTION_AGE_GRACE, DEFAULT_MAX_CONNECTION_AGE_GRACE),
        env.duration(PERMIT_KEEPALIVE, DEFAULT_PERMIT_KEEPALIVE_TIME),
        env.duration(HANDSHAKE_TIMEOUT, DEFAULT_HANDSHAKE_TIMEOUT),
        env.integer(MAX_STREAM_RESETS, DEFAULT_MAX_RESETS_PER_10_SECONDS));
  }
}
