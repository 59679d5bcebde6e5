package io.tickvault.server.testing;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A client that writes HTTP/2 frames byte by byte, for what no well-behaved client sends: a header
 * block larger than the server allows, a gRPC message prefix with reserved bits set, a stream that
 * ends in the middle of a message, streams that never take what they asked for. Headers are encoded with Netty's HPACK codec (the copy
 * grpc-netty-shaded bundles); the frames around them are written here.
 */
public final class RawHttp2 implements AutoCloseable {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int END_STREAM = 0x1;
  private static final int ACK = 0x1;
  private static final int END_HEADERS = 0x4;
  /** The largest frame payload a peer must accept before it says otherwise (SETTINGS_MAX_FRAME_SIZE). */
  private static final int MAX_FRAME = 16_384;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
  private int nextStreamId = 1;

  /** How a stream ended: the server's final headers (trailers, or a bare HTTP status), or its RST_STREAM code. */
  public record End(Http2Headers headers, long resetCode) {
    /** Only from {@link #awaitAnswers}: the server answered the stream and has not ended it. */
    public boolean answered() {
      return headers == null && resetCode < 0;
    }

    /** The HTTP status of an answer that is only headers, such as 431, or null. */
    public String httpStatus() {
      return headers == null || headers.status() == null ? null : headers.status().toString();
    }

    /** The grpc-status of the trailers, or null. */
    public String grpcStatus() {
      CharSequence status = headers == null ? null : headers.get("grpc-status");
      return status == null ? null : status.toString();
    }

    /** The grpc-message of the trailers, or null. */
    public String grpcMessage() {
      CharSequence message = headers == null ? null : headers.get("grpc-message");
      return message == null ? null : message.toString();
    }

    @Override
    public String toString() {
      return headers != null ? "headers " + headers : "RST_STREAM " + resetCode;
    }
  }

  private RawHttp2(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
    try {
      encoder.maxHeaderListSize(Integer.MAX_VALUE); // we decide what is too large, not our encoder
      decoder.maxHeaderListSize(Integer.MAX_VALUE, Integer.MAX_VALUE);
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Connects to a plaintext HTTP/2 server on localhost and sends the preface and empty SETTINGS. */
  public static RawHttp2 connect(int port) throws IOException {
    return connect(port, new byte[0]);
  }

  /**
   * Connects and announces a stream receive window of {@code initialWindowSize} bytes
   * (SETTINGS_INITIAL_WINDOW_SIZE). This client never sends WINDOW_UPDATE: a stream of this
   * connection takes that many bytes of DATA, then nothing more.
   */
  public static RawHttp2 connectWithWindow(int port, int initialWindowSize) throws IOException {
    return connect(port, ByteBuffer.allocate(6).putShort((short) 0x4).putInt(initialWindowSize).array());
  }

  private static RawHttp2 connect(int port, byte[] settings) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    RawHttp2 client = new RawHttp2(socket);
    client.out.write(PREFACE);
    client.frame(SETTINGS, 0, 0, settings);
    return client;
  }

  /** A gRPC message frame: the 5-byte prefix (not compressed, length) and the message. */
  public static byte[] grpcMessage(byte[] message) {
    return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();
  }

  /** The request headers of a gRPC call of {@code method} ("/package.Service/Method"), to add to. */
  public static Http2Headers grpcRequest(String method) {
    return new DefaultHttp2Headers()
        .method("POST").scheme("http").authority("127.0.0.1").path(method)
        .add("content-type", "application/grpc").add("te", "trailers");
  }

  /** Opens a new stream with these headers in one HEADERS frame; returns its id. */
  public int headers(Http2Headers headers, boolean endStream) throws IOException {
    int streamId = nextStreamId;
    nextStreamId += 2;
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(streamId, headers, block);
      byte[] bytes = new byte[block.readableBytes()];
      block.readBytes(bytes);
      if (bytes.length > MAX_FRAME) {
        throw new IllegalArgumentException("a header block of " + bytes.length + " bytes needs CONTINUATION frames");
      }
      frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, bytes);
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    } finally {
      block.release();
    }
    return streamId;
  }

  /** A DATA frame of exactly these bytes on the stream (no gRPC framing added). */
  public void data(int streamId, byte[] payload, boolean endStream) throws IOException {
    frame(DATA, endStream ? END_STREAM : 0, streamId, payload);
  }

  /**
   * Reads frames until the server ends the stream, acknowledging its SETTINGS and PINGs on the way.
   * Throws when the server closes the connection (GOAWAY or EOF) first.
   */
  public End awaitEnd(int streamId) throws IOException {
    while (true) {
      int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fff_ffff;
      byte[] payload = new byte[length];
      in.readFully(payload);
      switch (type) {
        case SETTINGS -> {
          if ((flags & ACK) == 0) {
            frame(SETTINGS, ACK, 0, new byte[0]);
          }
        }
        case PING -> {
          if ((flags & ACK) == 0) {
            frame(PING, ACK, 0, payload);
          }
        }
        case HEADERS -> {
          Http2Headers headers = decode(stream, payload, flags);
          if (stream == streamId && (flags & END_STREAM) != 0) {
            return new End(headers, -1);
          }
        }
        case RST_STREAM -> {
          if (stream == streamId) {
            return new End(null, ByteBuffer.wrap(payload).getInt() & 0xffff_ffffL);
          }
        }
        case GOAWAY -> throw new EOFException("the server sent GOAWAY (error code "
            + (ByteBuffer.wrap(payload, 4, 4).getInt() & 0xffff_ffffL) + ") before stream " + streamId + " ended");
        default -> {
          // DATA and WINDOW_UPDATE: nothing to answer for one short call
        }
      }
    }
  }

  /**
   * Reads frames until each of {@code streams} has ended or {@code within} has passed, acknowledging
   * SETTINGS and PINGs on the way; returns the ends seen, by stream, in the order they came. A
   * closed connection ends the wait early.
   */
  public Map<Integer, End> awaitEnds(Set<Integer> streams, Duration within) throws IOException {
    return await(streams, within, false);
  }

  /**
   * As {@link #awaitEnds}, but a stream also counts once the server has sent its response headers
   * (it answers it): ended streams map to their end, answered ones to an end without headers or
   * reset code ({@link End#answered()}).
   */
  public Map<Integer, End> awaitAnswers(Set<Integer> streams, Duration within) throws IOException {
    return await(streams, within, true);
  }

  private Map<Integer, End> await(Set<Integer> streams, Duration within, boolean headersEnough) throws IOException {
    Map<Integer, End> ends = new LinkedHashMap<>();
    long deadline = System.nanoTime() + within.toNanos();
    int timeout = socket.getSoTimeout();
    try {
      while (ends.size() < streams.size()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          break;
        }
        socket.setSoTimeout((int) Math.max(1, left));
        int length;
        try {
          length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        } catch (SocketTimeoutException | EOFException e) {
          break;
        }
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fff_ffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == SETTINGS && (flags & ACK) == 0) {
          frame(SETTINGS, ACK, 0, new byte[0]);
        } else if (type == PING && (flags & ACK) == 0) {
          frame(PING, ACK, 0, payload);
        } else if (type == HEADERS) {
          Http2Headers headers = decode(stream, payload, flags);
          if (streams.contains(stream) && (flags & END_STREAM) != 0) {
            ends.put(stream, new End(headers, -1));
          } else if (streams.contains(stream) && headersEnough) {
            ends.put(stream, new End(null, -1));
          }
        } else if (type == RST_STREAM && streams.contains(stream)) {
          ends.put(stream, new End(null, ByteBuffer.wrap(payload).getInt() & 0xffff_ffffL));
        } else if (type == GOAWAY) {
          break;
        }
      }
    } finally {
      socket.setSoTimeout(timeout);
    }
    return ends;
  }

  private Http2Headers decode(int streamId, byte[] payload, int flags) throws IOException {
    if ((flags & END_HEADERS) == 0) {
      throw new IOException("the server split a header block into CONTINUATION frames, which this client does not read");
    }
    int offset = 0;
    int length = payload.length;
    if ((flags & 0x8) != 0) { // PADDED
      int padding = payload[0] & 0xff;
      offset = 1;
      length -= 1 + padding;
    }
    if ((flags & 0x20) != 0) { // PRIORITY
      offset += 5;
      length -= 5;
    }
    ByteBuf block = Unpooled.wrappedBuffer(payload, offset, length);
    try {
      return decoder.decodeHeaders(streamId, block);
    } catch (Http2Exception e) {
      throw new IOException(e);
    } finally {
      block.release();
    }
  }

  private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    byte[] header = {
        (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
        (byte) type, (byte) flags,
        (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId};
    out.write(header);
    out.write(payload);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
