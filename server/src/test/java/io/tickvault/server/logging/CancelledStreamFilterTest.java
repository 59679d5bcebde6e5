package io.tickvault.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Only the report of a client's cancel is kept out of the log; real stream errors stay WARNs. */
class CancelledStreamFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void filteredContext() {
    CancelledStreamFilter filter = new CancelledStreamFilter();
    filter.start();
    context.addTurboFilter(filter);
    lines.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(lines);
  }

  @Test
  void dataDroppedBecauseTheClientCancelled_isNotLogged() {
    warn(CancelledStreamFilter.NETTY_SERVER_HANDLER, droppedWrite(3));

    assertThat(lines.list).isEmpty();
  }

  @Test
  void otherStreamErrors_andConnectionErrors_areStillWarned() {
    Http2Exception protocol = Http2Exception.streamError(5, Http2Error.PROTOCOL_ERROR, "a frame the client should not send");
    Http2Exception unexpectedState = Http2Exception.streamError(7, Http2Error.STREAM_CLOSED, "Stream 7 in unexpected state");
    Http2Exception connection = Http2Exception.connectionError(Http2Error.FLOW_CONTROL_ERROR, "window overflow");

    warn(CancelledStreamFilter.NETTY_SERVER_HANDLER, protocol);
    warn(CancelledStreamFilter.NETTY_SERVER_HANDLER, unexpectedState);
    warn(CancelledStreamFilter.NETTY_SERVER_HANDLER, connection);

    assertThat(lines.list).extracting(e -> e.getThrowableProxy().getMessage())
        .containsExactly("a frame the client should not send", "Stream 7 in unexpected state", "window overflow");
  }

  @Test
  void theSameExceptionLoggedElsewhere_isStillWarned() {
    warn("io.tickvault.server.somewhere", droppedWrite(9));

    assertThat(lines.list).hasSize(1);
  }

  private void warn(String logger, Throwable error) {
    context.getLogger(logger).warn("Stream Error", error);
  }

  /** What Netty's flow controller reports when a stream closes with data still queued. */
  private static Http2Exception droppedWrite(int streamId) {
    return Http2Exception.streamError(streamId, Http2Error.STREAM_CLOSED, CancelledStreamFilter.DROPPED_WRITE);
  }
}
