package io.tickvault.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * A client that cancels a call is not an error. When it cancels (or resets the stream) while the
 * server still has data queued for it, as a reader that has read enough does, grpc-netty's
 * NettyServerHandler reports the dropped data as a WARN "Stream Error" with a stack trace of some
 * 38 lines. This filter, installed in logback.xml, turns exactly that report into one DEBUG line;
 * every other stream error, and everything else that handler logs, keeps its level.
 */
public final class CancelledStreamFilter extends TurboFilter {
  private static final org.slf4j.Logger log = LoggerFactory.getLogger(CancelledStreamFilter.class);

  /** grpc-netty-shaded's server handler, which logs through java.util.logging (bridged here by Main). */
  static final String NETTY_SERVER_HANDLER = "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler";
  /** Netty's message when a stream closes with data still waiting in its flow controller. */
  static final String DROPPED_WRITE = "Stream closed before write could take place";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (t instanceof Http2Exception.StreamException stream
        && stream.error() == Http2Error.STREAM_CLOSED
        && DROPPED_WRITE.equals(stream.getMessage())
        && NETTY_SERVER_HANDLER.equals(logger.getName())) {
      log.debug("stream {} closed by the client with data still to send: the rest of its answer dropped", stream.streamId());
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
