package io.tickvault.server.grpc;

import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.tickvault.server.logging.RateLimitedLog;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the requests of a service are read.
 *
 * <ul>
 *   <li>Without the fields this server does not know: protobuf keeps unknown fields by default, so
 *       a record the server only stores would carry, say, a 3.9 MiB unknown field in memory for as
 *       long as it waits to be written, counted as one small record. Dropped at parse time they
 *       cost nothing past the transport's bound on one message.
 *   <li>A request that is not a valid message (garbage bytes, invalid UTF-8 in a string) is answered
 *       INVALID_ARGUMENT, with one short log line per interval. grpc-java's own marshaller throws,
 *       which answers UNKNOWN and logs a SEVERE stack trace per request. Unary calls are closed
 *       here; a streaming service sees a stand-in message that {@link #isUnreadable} recognizes, so
 *       that it ends the call in its own order.
 * </ul>
 */
public final class RequestParsing {
  private static final Logger log = LoggerFactory.getLogger(RequestParsing.class);
  private static final RateLimitedLog unreadableLog = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());
  /**
   * The stand-in of each method's request, one instance with no field set: compared by identity,
   * since an empty request that was read fine is equal to it.
   */
  private static final Set<Object> STAND_INS = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

  private RequestParsing() {}

  /** The same service (names, handlers, reflection schema) with requests read as above. */
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

  /** True for the stand-in of a request that could not be read: the call must end INVALID_ARGUMENT. */
  public static boolean isUnreadable(Object request) {
    return STAND_INS.contains(request);
  }

  /** The status a call with an unreadable request ends with; {@code which} names the request. */
  public static Status unreadableStatus(String which) {
    return Status.INVALID_ARGUMENT.withDescription(which + " is not a valid protobuf message of this method"
        + " (malformed bytes, or a string that is not UTF-8)");
  }

  private static <Q, S> ServerMethodDefinition<Q, S> lean(ServerMethodDefinition<Q, S> method) {
    MethodDescriptor<Q, S> descriptor = method.getMethodDescriptor();
    if (!(descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> marshaller)
        || !(marshaller.getMessagePrototype() instanceof Message)) {
      throw new IllegalArgumentException(descriptor.getFullMethodName() + " does not take a protobuf message");
    }
    LeanMarshaller<Q> lean = new LeanMarshaller<>(marshaller, descriptor.getFullMethodName());
    ServerCallHandler<Q, S> handler = method.getServerCallHandler();
    if (descriptor.getType() == MethodDescriptor.MethodType.UNARY) {
      handler = closeUnreadable(handler, lean.standIn);
    }
    return ServerMethodDefinition.create(descriptor.toBuilder().setRequestMarshaller(lean).build(), handler);
  }

  /** A unary call whose request is unreadable is answered here, before its method runs. */
  private static <Q, S> ServerCallHandler<Q, S> closeUnreadable(ServerCallHandler<Q, S> next, Q standIn) {
    return (call, headers) -> new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private boolean closed;

      @Override
      public void onMessage(Q message) {
        if (message == standIn) {
          closed = true;
          call.close(unreadableStatus("the request"), new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!closed) { // else the method must not run on an empty request
          super.onHalfClose();
        }
      }
    };
  }

  private static final class LeanMarshaller<Q> implements MethodDescriptor.PrototypeMarshaller<Q> {
    private final MethodDescriptor.PrototypeMarshaller<Q> original;
    private final Parser<?> parser;
    private final String methodName;
    final Q standIn;

    @SuppressWarnings("unchecked")
    LeanMarshaller(MethodDescriptor.PrototypeMarshaller<Q> original, String methodName) {
      this.original = original;
      this.methodName = methodName;
      Message prototype = (Message) original.getMessagePrototype();
      this.parser = DiscardUnknownFieldsParser.wrap(prototype.getParserForType());
      this.standIn = (Q) prototype.newBuilderForType().buildPartial(); // a new instance, not the default one
      STAND_INS.add(standIn);
    }

    @Override
    public Q getMessagePrototype() {
      return original.getMessagePrototype();
    }

    @Override
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
        unreadableLog.warn("unreadable " + methodName + " request: " + e.getMessage());
        return standIn;
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("cannot read the request").withCause(e).asRuntimeException();
      }
    }
  }
}
