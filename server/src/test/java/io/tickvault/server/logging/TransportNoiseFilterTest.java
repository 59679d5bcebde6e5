package io.tickvault.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.tickvault.server.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client's cancel is kept out of the log, other per-stream reports are one short line per
 * interval with a count, and everything else, connection errors included, is logged as it was.
 */
class TransportNoiseFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final MutableClock clock = new MutableClock();

  @BeforeEach
  void filteredContext() {
    TransportNoiseFilter filter = new TransportNoiseFilter(clock);
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
    lines.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO); // as in production: the filter's DEBUG lines are not written
    root.addAppender(lines);
  }

  @Test
  void dataDroppedBecauseTheClientCancelled_isNotLogged() {
    warn(TransportNoiseFilter.NETTY_SERVER_HANDLER, droppedWrite(3));

    assertThat(lines.list).isEmpty();
  }

  @Test
  void headerBlocksOverTheLimit_areOneLinePerIntervalWithTheCount_andNoStackTrace() {
    for (int i = 0; i < 200; i++) {
      warn(TransportNoiseFilter.NETTY_SERVER_HANDLER, headerListTooLarge(2 * i + 1));
    }
    clock.advance(Duration.ofSeconds(10));
    warn(TransportNoiseFilter.NETTY_SERVER_HANDLER, headerListTooLarge(401));

    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "a client's HTTP/2 stream was refused (PROTOCOL_ERROR: Header size exceeded max allowed size (8192))",
        "a client's HTTP/2 stream was refused (PROTOCOL_ERROR: Header size exceeded max allowed size (8192))"
            + " (199 similar lines suppressed in the last 10 s)");
    assertThat(lines.list).allMatch(line -> line.getLevel() == Level.WARN && line.getThrowableProxy() == null);
  }

  @Test
  void messagesThatCannotBeUnframed_areOneLinePerInterval_apartFromStreamErrors() {
    for (int i = 0; i < 50; i++) {
      context.getLogger(TransportNoiseFilter.NETTY_SERVER_STREAM).warn(TransportNoiseFilter.UNFRAMING_FAILED,
          Status.INTERNAL.withDescription("gRPC frame header malformed: reserved bits not zero").asRuntimeException());
    }
    warn(TransportNoiseFilter.NETTY_SERVER_HANDLER, headerListTooLarge(7));

    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "a client sent bytes that are not gRPC messages (gRPC frame header malformed: reserved bits not zero):"
            + " its call ended INTERNAL",
        "a client's HTTP/2 stream was refused (PROTOCOL_ERROR: Header size exceeded max allowed size (8192))");
  }

  @Test
  void whatAClientChoseIsQuotedShortAndPrintable() {
    warn(TransportNoiseFilter.NETTY_SERVER_HANDLER,
        Http2Exception.streamError(5, Http2Error.PROTOCOL_ERROR, "invalid header name [\u001b[31m" + "x".repeat(5000) + "]"));

    String line = lines.list.get(0).getFormattedMessage();
    assertThat(line).hasSizeLessThan(300).doesNotContain("\u001b").contains("invalid header name [?[31mxxx").endsWith("…)");
  }

  @Test
  void connectionErrors_otherLoggers_andErrors_areLoggedAsBefore() {
    Http2Exception connection = Http2Exception.connectionError(Http2Error.FLOW_CONTROL_ERROR, "window overflow");

    warn(TransportNoiseFilter.NETTY_SERVER_HANDLER, connection);
    warn("io.tickvault.server.somewhere", droppedWrite(9));
    context.getLogger(TransportNoiseFilter.NETTY_SERVER_HANDLER).error("Stream Error", headerListTooLarge(11));

    assertThat(lines.list).extracting(e -> e.getThrowableProxy().getMessage())
        .containsExactly("window overflow", "Stream closed before write could take place",
            "Header size exceeded max allowed size (8192)");
  }

  private void warn(String logger, Throwable error) {
    context.getLogger(logger).warn("Stream Error", error);
  }

  /** What Netty's flow controller reports when a stream closes with data still queued. */
  private static Http2Exception droppedWrite(int streamId) {
    return Http2Exception.streamError(streamId, Http2Error.STREAM_CLOSED, TransportNoiseFilter.DROPPED_WRITE);
  }

  /** What Netty's HPACK decoder reports for a header block over the server's limit. */
  private static Http2Exception headerListTooLarge(int streamId) {
    return Http2Exception.headerListSizeError(streamId, Http2Error.PROTOCOL_ERROR, true,
        "Header size exceeded max allowed size (%d)", 8192);
  }
}
