package io.tickvault.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bytes that are not a valid request, sent without a token's worth of care: each call ends
 * INVALID_ARGUMENT, and grpc-java writes no SEVERE line (with its stack trace) per request.
 */
class MalformedRequestsIT {
  /** Field 1 of ListCurrencyPairsRequest (int32) announced as length-delimited, with too few bytes. */
  private static final byte[] GARBAGE = {0x0a, 0x7f, 0x01};
  /** IngestTradesRequest { trades { trade_id: <0xff 0xfe, not UTF-8> } } */
  private static final byte[] BAD_UTF8 = {0x0a, 0x04, 0x1a, 0x02, (byte) 0xff, (byte) 0xfe};

  @RegisterExtension
  static TestServer server = TestServer.netty();

  private final List<LogRecord> grpcWarnings = new ArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        synchronized (grpcWarnings) {
          grpcWarnings.add(record);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void captureGrpcLogs() {
    Logger.getLogger("io.grpc").addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    Logger.getLogger("io.grpc").removeHandler(capture);
  }

  @Test
  void garbageToAUnaryMethod_isInvalidArgument_withoutASevereLogLine() throws Exception {
    for (int i = 0; i < 20; i++) {
      Status status = call(MarketServiceGrpc.getListCurrencyPairsMethod(), GARBAGE);
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).startsWith("the request is not a valid protobuf message");
    }
    assertThat(grpcWarnings).isEmpty();
  }

  @Test
  void invalidUtf8InAStreamedRecord_endsTheStreamInvalidArgument_withoutASevereLogLine() throws Exception {
    for (int i = 0; i < 20; i++) {
      Status status = call(IngestServiceGrpc.getIngestTradesMethod(), BAD_UTF8);
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).startsWith("request 0 is not a valid protobuf message");
    }
    assertThat(grpcWarnings).isEmpty();
  }

  /** Sends one raw message to the method, half-closes, and returns how the call ended. */
  private static Status call(MethodDescriptor<?, ?> method, byte[] body) throws Exception {
    MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setFullMethodName(method.getFullMethodName())
        .setType(method.getType())
        .setRequestMarshaller(Bytes.MARSHALLER)
        .setResponseMarshaller(Bytes.MARSHALLER)
        .build();
    CompletableFuture<Status> end = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = server.channel().newCall(raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        end.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(body);
    call.halfClose();
    return end.get(10, TimeUnit.SECONDS);
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    static final Bytes MARSHALLER = new Bytes();

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
