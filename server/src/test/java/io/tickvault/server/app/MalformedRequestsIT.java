package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Codec;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.server.logging.RateLimitedLog;
import io.tickvault.server.testing.RawHttp2;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bytes that are not a valid request, sent without a token's worth of care, to a server process
 * run from its jar, so logging as in production: each call ends INVALID_ARGUMENT (or
 * RESOURCE_EXHAUSTED for a body that inflates past the message limit), HTTP/2 that breaks the
 * server's limits or gRPC's framing ends its stream, bytes that are not HTTP/2 at all close the
 * connection, and the server's log gets no stack trace and at most one short line per interval for
 * all of it. After each, the server goes on serving.
 */
class MalformedRequestsIT {
  /** Field 1 of ListCurrencyPairsRequest (int32) announced as length-delimited, with too few bytes. */
  private static final byte[] GARBAGE = {0x0a, 0x7f, 0x01};
  /** IngestTradesRequest { trades { trade_id: <0xff 0xfe, not UTF-8> } } */
  private static final byte[] BAD_UTF8 = {0x0a, 0x04, 0x1a, 0x02, (byte) 0xff, (byte) 0xfe};
  /** The server as the build packs it, so with the logging configuration of production. */
  private static final Path JAR = Path.of("target", "tickvault-server.jar");
  /** A line of a stack trace, or the line that heads one. */
  private static final Pattern STACK_TRACE = Pattern.compile("^(\\s+at |\\s*\\.\\.\\. \\d+ more|Caused by:|[\\w.$]+(Exception|Error)\\b)");

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  private static ServerProcess server;
  private long logStart;
  private long startNanos;

  @BeforeAll
  static void start() {
    assertThat(JAR).as("made by ./mvnw package, before the integration tests").exists();
    server = ServerProcess.startJar(JAR, database.url(), Map.of());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void markTheLog() {
    logStart = server.log().length();
    startNanos = System.nanoTime();
  }

  @Test
  void garbageToAUnaryMethod_isInvalidArgument_withoutASevereLogLine() throws Exception {
    for (int i = 0; i < 20; i++) {
      Status status = call(MarketServiceGrpc.getListCurrencyPairsMethod(), GARBAGE);
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).startsWith("the request is not a valid protobuf message");
    }
    assertQuietAndServing();
  }

  @Test
  void invalidUtf8InAStreamedRecord_endsTheStreamInvalidArgument_withoutASevereLogLine() throws Exception {
    for (int i = 0; i < 20; i++) {
      Status status = call(IngestServiceGrpc.getIngestTradesMethod(), BAD_UTF8);
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).startsWith("request 0 is not a valid protobuf message");
    }
    assertQuietAndServing();
  }

  @Test
  void aBodyThatIsNotGzip_underGrpcEncodingGzip_isInvalidArgument_withAtMostOneShortLogLine() throws Exception {
    assertBadGzipIsInvalidArgument(body -> ("not gzip at all: " + new String(body, StandardCharsets.ISO_8859_1))
        .getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void aTruncatedGzipBody_isInvalidArgument_withAtMostOneShortLogLine() throws Exception {
    assertBadGzipIsInvalidArgument(body -> {
      byte[] gzip = gzip(body);
      return Arrays.copyOf(gzip, gzip.length - 6); // a valid header, the end and its checksum cut off
    });
  }

  @Test
  void aGzipBodyThatInflatesPastTheMessageLimit_isResourceExhausted_withAtMostOneShortLogLine() throws Exception {
    // 5 MiB of zeros gzip to about 5 KiB: a small message that would grow past the 4 MiB limit.
    ManagedChannel gzipChannel = channelSending(body -> gzip(new byte[5 << 20]));
    try {
      for (int i = 0; i < 5; i++) {
        // Not empty: grpc-java sends an empty message uncompressed.
        Status unary = callGzip(gzipChannel, MarketServiceGrpc.getListCurrencyPairsMethod(), new byte[] {8, 1});
        assertThat(unary.getCode()).as(unary.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(unary.getDescription()).isEqualTo("the request is larger than the message limit (4194304 bytes) once decompressed");
        Status stream = callGzip(gzipChannel, IngestServiceGrpc.getIngestTradesMethod(), new byte[] {8, 1});
        assertThat(stream.getCode()).as(stream.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(stream.getDescription()).startsWith("request 0 is larger than the message limit");
      }
    } finally {
      gzipChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertQuietAndServing();
  }

  @Test
  void anHttp1RequestOnTheGrpcPort_closesTheConnectionQuietly() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertClosedAfter("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertQuietAndServing();
  }

  @Test
  void randomBytesOnTheGrpcPort_closeTheConnectionQuietly() throws Exception {
    Random random = new Random(12);
    for (int i = 0; i < 5; i++) {
      byte[] bytes = new byte[64 + random.nextInt(4096)];
      random.nextBytes(bytes);
      assertClosedAfter(bytes);
    }
    assertQuietAndServing();
  }

  @Test
  void headerBlocksOverTheServersLimit_areRefusedEachWith431_andLoggedAtMostOncePerInterval() throws Exception {
    // No token: the limit applies before authentication, so anyone who can connect can do this.
    // 9 KiB: over the 8 KiB limit, under the 10 KiB past which Netty ends the whole connection.
    Http2Headers oversized = RawHttp2.grpcRequest("/" + MarketServiceGrpc.getListCurrencyPairsMethod().getFullMethodName())
        .add("x-padding", "p".repeat(9 * 1024));
    for (int connection = 0; connection < 4; connection++) {
      try (RawHttp2 client = RawHttp2.connect(server.port())) {
        for (int i = 0; i < 50; i++) {
          RawHttp2.End end = client.awaitEnd(client.headers(oversized, true));
          assertThat(end.httpStatus()).as(end.toString()).isEqualTo("431");
        }
      }
    }
    assertQuietAndServing();
  }

  @Test
  void grpcFramesWithReservedFlagBits_orEndingMidMessage_areRefused_andLoggedAtMostOncePerInterval() throws Exception {
    Http2Headers request = RawHttp2.grpcRequest("/" + MarketServiceGrpc.getListCurrencyPairsMethod().getFullMethodName());
    try (RawHttp2 client = RawHttp2.connect(server.port())) {
      for (int i = 0; i < 25; i++) {
        int reservedBits = client.headers(request, false);
        client.data(reservedBits, new byte[] {(byte) 0x82, 0, 0, 0, 0}, true); // only bit 0 of the flags is defined
        RawHttp2.End end = client.awaitEnd(reservedBits);
        assertThat(end.grpcStatus()).as(end.toString()).isEqualTo("13");
        assertThat(end.grpcMessage()).isEqualTo("gRPC frame header malformed: reserved bits not zero");
        int cutShort = client.headers(request, false);
        client.data(cutShort, new byte[] {0, 0, 0, 0, 10, 8, 1}, true); // announces 10 bytes, sends 2
        end = client.awaitEnd(cutShort);
        assertThat(end.grpcStatus()).as(end.toString()).isEqualTo("13");
        assertThat(end.grpcMessage()).isEqualTo("Encountered end-of-stream mid-frame");
      }
    }
    assertQuietAndServing();
  }

  /** The client frames a request and flags it gzip-compressed, but its bytes are {@code corrupt}'s. */
  private void assertBadGzipIsInvalidArgument(UnaryOperator<byte[]> corrupt) throws Exception {
    ManagedChannel badGzip = channelSending(corrupt);
    try {
      for (int i = 0; i < 10; i++) {
        Status unary = callGzip(badGzip, MarketServiceGrpc.getListCurrencyPairsMethod(),
            ListCurrencyPairsRequest.newBuilder().setExchangeId(1).build().toByteArray());
        assertThat(unary.getCode()).as(unary.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(unary.getDescription()).startsWith("the request is not a valid protobuf message");
        Status stream = callGzip(badGzip, IngestServiceGrpc.getIngestTradesMethod(), BAD_UTF8);
        assertThat(stream.getCode()).as(stream.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(stream.getDescription()).startsWith("request 0 is not a valid protobuf message");
      }
    } finally {
      badGzip.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertQuietAndServing();
  }

  /**
   * The server answers a good call, and what it logged since the test began holds no stack trace
   * and at most one short line per interval of its rate-limited log, however many bad calls came.
   */
  private void assertQuietAndServing() throws IOException {
    Status ok = call(MarketServiceGrpc.getListCurrencyPairsMethod(), new byte[0]);
    assertThat(ok.getCode()).isEqualTo(Status.Code.OK);
    long intervals = 1 + (System.nanoTime() - startNanos) / RateLimitedLog.DEFAULT_INTERVAL.toNanos();
    byte[] log = Files.readAllBytes(server.log().toPath());
    List<String> lines = new String(log, (int) logStart, log.length - (int) logStart, StandardCharsets.UTF_8)
        .lines().filter(line -> !line.isBlank()).toList();
    assertThat(lines).as("the server's log").hasSizeLessThanOrEqualTo((int) intervals)
        .noneMatch(line -> STACK_TRACE.matcher(line).find())
        .allMatch(line -> line.length() < 300);
  }

  /** Sends the bytes on a fresh socket and reads until the server closes it (30 s at most). */
  private static void assertClosedAfter(byte[] bytes) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      try {
        while (in.read() >= 0) {
          // the server's SETTINGS and GOAWAY, then the end
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server kept a non-HTTP/2 connection open for 30 s", e);
      } catch (SocketException reset) {
        // closed by the server: what we wait for
      }
    }
  }

  /** A channel whose "gzip" turns each serialized request into {@code corrupt}'s bytes. */
  private static ManagedChannel channelSending(UnaryOperator<byte[]> corrupt) {
    Compressor bad = new Compressor() {
      @Override
      public String getMessageEncoding() {
        return new Codec.Gzip().getMessageEncoding();
      }

      @Override
      public OutputStream compress(OutputStream os) {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        return new FilterOutputStream(plain) {
          @Override
          public void close() throws IOException {
            os.write(corrupt.apply(plain.toByteArray()));
            os.close();
          }
        };
      }
    };
    CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
    compressors.register(bad);
    return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
        .compressorRegistry(compressors).build();
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static Status call(MethodDescriptor<?, ?> method, byte[] body) {
    return call(server.channel(), CallOptions.DEFAULT, method, body);
  }

  /** As {@link #call(MethodDescriptor, byte[])}, the message flagged gzip-compressed, on a {@link #channelSending} channel. */
  private static Status callGzip(Channel channel, MethodDescriptor<?, ?> method, byte[] body) {
    return call(channel, CallOptions.DEFAULT.withCompression("gzip"), method, body);
  }

  /** Sends one raw message to the method, half-closes, and returns how the call ended. */
  private static Status call(Channel channel, CallOptions options, MethodDescriptor<?, ?> method, byte[] body) {
    MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setFullMethodName(method.getFullMethodName())
        .setType(method.getType())
        .setRequestMarshaller(Bytes.MARSHALLER)
        .setResponseMarshaller(Bytes.MARSHALLER)
        .build();
    CompletableFuture<Status> end = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = channel.newCall(raw, options.withDeadlineAfter(10, TimeUnit.SECONDS));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        end.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(body);
    call.halfClose();
    try {
      return end.get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no end to " + method.getFullMethodName(), e);
    }
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
