package io.tickvault.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import java.time.Clock;
import org.slf4j.Marker;

/**
 * What grpc-netty reports about one client's stream, kept from flooding the log: anyone who can open
 * a connection can make each report happen once per stream, and grpc-netty logs each as a WARN with
 * a stack trace of 15 to 38 lines.
 * <ul>
 *   <li>A client that cancels a call while the server still has data queued for it (a reader that
 *       has read enough) is not an error: NettyServerHandler's "Stream Error" for the dropped data
 *       becomes one DEBUG line.
 *   <li>Any other stream error of NettyServerHandler (a header block over the 8 KiB limit, a frame
 *       the stream's state does not allow) and NettyServerStream's "Exception processing message"
 *       (a gRPC message that cannot be unframed: reserved flag bits, the stream ending inside a
 *       message) stay WARNs, but of one line without the stack trace, at most one of each kind per
 *       {@link RateLimitedLog#DEFAULT_INTERVAL} with the count of those held back. Each is also a
 *       DEBUG line with its stack trace.
 * </ul>
 * Everything else those classes log, connection errors included, keeps its level and its trace.
 * Installed in logback.xml.
 */
public final class TransportNoiseFilter extends TurboFilter {
  /** grpc-netty-shaded's server handler and stream, which log through java.util.logging (bridged here by Main). */
  static final String NETTY_SERVER_HANDLER = "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler";
  static final String NETTY_SERVER_STREAM = "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream";
  /** Netty's message when a stream closes with data still waiting in its flow controller. */
  static final String DROPPED_WRITE = "Stream closed before write could take place";
  /** NettyServerStream's message when the bytes of a stream are not gRPC messages. */
  static final String UNFRAMING_FAILED = "Exception processing message";
  /** How much of a message an error quotes: Netty's may hold a header name the client chose. */
  private static final int MAX_QUOTED = 200;

  private final Clock clock;
  private org.slf4j.Logger log;
  private RateLimitedLog streamErrors;
  private RateLimitedLog unframingFailures;

  public TransportNoiseFilter() {
    this(Clock.systemUTC());
  }

  TransportNoiseFilter(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void start() {
    // The lines go to the context the filter is installed in, the one whose log it keeps quiet.
    log = ((LoggerContext) getContext()).getLogger(TransportNoiseFilter.class);
    streamErrors = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    unframingFailures = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, clock);
    super.start();
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (t == null || level != Level.WARN || !isStarted()) {
      return FilterReply.NEUTRAL;
    }
    if (t instanceof Http2Exception.StreamException stream && NETTY_SERVER_HANDLER.equals(logger.getName())) {
      if (stream.error() == Http2Error.STREAM_CLOSED && DROPPED_WRITE.equals(stream.getMessage())) {
        log.debug("stream {} closed by the client with data still to send: the rest of its answer dropped", stream.streamId());
        return FilterReply.DENY;
      }
      log.debug("stream {} of a client failed", stream.streamId(), stream);
      streamErrors.warn("a client's HTTP/2 stream was refused (" + stream.error() + ": " + quote(stream.getMessage()) + ")");
      return FilterReply.DENY;
    }
    if (UNFRAMING_FAILED.equals(format) && NETTY_SERVER_STREAM.equals(logger.getName())) {
      Status status = Status.fromThrowable(t);
      String why = status.getDescription() != null ? status.getDescription() : String.valueOf(t);
      log.debug("a client's stream could not be unframed", t);
      unframingFailures.warn("a client sent bytes that are not gRPC messages (" + quote(why) + "): its call ended "
          + status.getCode());
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }

  /** The first line of a message, printable and at most {@link #MAX_QUOTED} characters. */
  static String quote(String message) {
    String line = message == null ? "" : message.lines().findFirst().orElse("");
    StringBuilder quoted = new StringBuilder();
    for (int i = 0; i < line.length() && quoted.length() < MAX_QUOTED; i++) {
      char c = line.charAt(i);
      quoted.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return quoted.length() < line.length() ? quoted + "…" : quoted.toString();
  }
}
