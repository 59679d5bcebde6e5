package io.tickvault.server.grpc;

import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A service whose requests are read without the fields this server does not know. protobuf keeps
 * unknown fields by default, so a record the server only stores would carry, say, a 3.9 MiB unknown
 * field in memory for as long as it waits to be written, counted as one small record; dropped at
 * parse time they cost nothing past the transport's bound on one message.
 */
public final class DropUnknownFields {
  private DropUnknownFields() {}

  /** The same service (names, handlers, reflection schema) with requests parsed this way. */
  public static ServerServiceDefinition of(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> lean = lean(method);
      methods.add(lean);
      descriptor.addMethod(lean.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder result = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(result::addMethod);
    return result.build();
  }

  private static <Q, S> ServerMethodDefinition<Q, S> lean(ServerMethodDefinition<Q, S> method) {
    MethodDescriptor<Q, S> descriptor = method.getMethodDescriptor();
    if (!(descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> marshaller)
        || !(marshaller.getMessagePrototype() instanceof Message)) {
      throw new IllegalArgumentException(descriptor.getFullMethodName() + " does not take a protobuf message");
    }
    return ServerMethodDefinition.create(
        descriptor.toBuilder().setRequestMarshaller(new LeanMarshaller<>(marshaller)).build(),
        method.getServerCallHandler());
  }

  private static final class LeanMarshaller<Q> implements MethodDescriptor.PrototypeMarshaller<Q> {
    private final MethodDescriptor.PrototypeMarshaller<Q> original;
    private final Parser<?> parser;

    LeanMarshaller(MethodDescriptor.PrototypeMarshaller<Q> original) {
      this.original = original;
      this.parser = DiscardUnknownFieldsParser.wrap(((Message) original.getMessagePrototype()).getParserForType());
    }

    @Override
    public Q getMessagePrototype() {
      return original.getMessagePrototype();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Class<Q> getMessageClass() {
      return original.getMessageClass();
    }

    @Override
    public InputStream stream(Q value) {
      return original.stream(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Q parse(InputStream stream) {
      try (stream) {
        // The transport already bounds the message (4 MiB), so reading it whole is safe.
        return (Q) parser.parseFrom(stream.readAllBytes());
      } catch (InvalidProtocolBufferException e) {
        // The same status grpc-java's own marshaller gives.
        throw Status.INTERNAL.withDescription("Invalid protobuf byte sequence").withCause(e).asRuntimeException();
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("cannot read the request").withCause(e).asRuntimeException();
      }
    }
  }
}
