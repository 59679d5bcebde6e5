package io.tickvault.server.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A response already in protobuf's wire format, sent as it is. The hottest read path encodes its
 * pages straight from the database's bytes (the read side's TradePageEncoder):
 * no message objects per record, no second pass to serialize them. On the wire it is the method's
 * usual message, so clients, reflection and every other tool see no difference.
 */
public final class EncodedMessage {
  /** Sends encoded messages; a server never parses its own responses. */
  public static final MethodDescriptor.Marshaller<EncodedMessage> MARSHALLER = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(EncodedMessage message) {
      return new Stream(message);
    }

    @Override
    public EncodedMessage parse(InputStream stream) {
      throw new UnsupportedOperationException("encoded messages are only sent");
    }
  };

  /**
   * {@code service} with {@code method}, a server-streaming method, answered by {@code body} with
   * encoded messages. The method keeps its name and request marshaller, and the service its schema
   * (reflection).
   */
  public static <Q> ServerServiceDefinition serverStreaming(ServerServiceDefinition service, MethodDescriptor<Q, ?> method,
      ServerCalls.ServerStreamingMethod<Q, EncodedMessage> body) {
    MethodDescriptor<Q, EncodedMessage> encoded = method.toBuilder(method.getRequestMarshaller(), MARSHALLER).build();
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor())
        .addMethod(encoded);
    List<ServerMethodDefinition<?, ?>> others = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      if (!m.getMethodDescriptor().getFullMethodName().equals(method.getFullMethodName())) {
        descriptor.addMethod(m.getMethodDescriptor());
        others.add(m);
      }
    }
    ServerServiceDefinition.Builder result = ServerServiceDefinition.builder(descriptor.build())
        .addMethod(encoded, ServerCalls.asyncServerStreamingCall(body));
    others.forEach(result::addMethod);
    return result.build();
  }

  private final byte[] bytes;
  private final int length;

  /** The first {@code length} bytes of {@code bytes}, which must not change afterwards. */
  public EncodedMessage(byte[] bytes, int length) {
    this.bytes = bytes;
    this.length = length;
  }

  public int length() {
    return length;
  }

  /** The message's bytes, for tests and logs. */
  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, length);
  }

  /** Known length and drained in one write: gRPC frames it without copying it through a buffer first. */
  private static final class Stream extends ByteArrayInputStream implements KnownLength, Drainable {
    Stream(EncodedMessage message) {
      super(message.bytes, 0, message.length);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int drained = count - pos;
      target.write(buf, pos, drained);
      pos = count;
      return drained;
    }
  }
}
