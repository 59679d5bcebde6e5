package io.tickvault.server.grpc;

import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
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
import io.grpc.StatusRuntimeException;
import io.tickvault.server.logging.RateLimitedLog;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
 *   <li>A request that is not a valid message (garbage bytes, invalid UTF-8 in a string, a body
 *       flagged gzip that does not inflate) is answered INVALID_ARGUMENT, and one that inflates
 *       past the message limit RESOURCE_EXHAUSTED, each with one short log line per interval.
 *       Thrown from a marshaller, either would answer UNKNOWN and log a SEVERE stack trace per
 *       request. Unary calls are closed here; a streaming service sees a stand-in message for which
 *       {@link #failure} gives the status, so that it ends the call in its own order.
 * </ul>
 */
public final class RequestParsing {
  /** The largest message a client may send (the gRPC default, set explicitly so it is a decision). */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
  private static final Logger log = LoggerFactory.getLogger(RequestParsing.class);
  private static final RateLimitedLog unreadableLog = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());
  /** Why a request could not be read. */
  private enum Fault { UNREADABLE, TOO_LARGE }

  /**
   * The stand-ins of each method's request, instances with no field set, and the fault each stands
   * for: compared by identity, since an empty request that was read fine is equal to them.
   */
  private static final Map<Object, Fault> STAND_INS = Collections.synchronizedMap(new IdentityHashMap<>());

  /**
   * The message this thread parsed last, and how many bytes it was read from. gRPC hands a parsed
   * request to its call on the thread that parsed it, straight away, so the call can take its size
   * from here instead of walking the message again (protobuf's {@code getSerializedSize} measures
   * every string, 80 per order book snapshot). Weak: a request nobody asks about is not kept.
   */
  private static final ThreadLocal<ReadSize> LAST_READ = new ThreadLocal<>();

  private record ReadSize(WeakReference<Object> message, int bytes) {}

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

  /** True for the stand-in of a request that could not be read: {@link #failure} says how its call ends. */
  public static boolean isUnreadable(Object request) {
    return STAND_INS.containsKey(request);
  }

  /**
   * How many bytes {@code request} was read from (decompressed, unknown fields included: what the
   * transport held); {@code getSerializedSize} when the request did not come straight from this
   * thread's last read. Ingestion counts buffered requests by this.
   */
  public static long serializedSize(MessageLite request) {
    ReadSize last = LAST_READ.get();
    if (last != null && last.message().get() == request) {
      LAST_READ.remove();
      return last.bytes();
    }
    return request.getSerializedSize();
  }

  /**
   * Null for a request that was read; for the stand-in of one that could not be, the status its call
   * must end with, {@code which} naming the request ("the request", "request 3").
   */
  public static Status failure(Object request, String which) {
    Fault fault = STAND_INS.get(request);
    if (fault == null) {
      return null;
    }
    return fault == Fault.TOO_LARGE
        ? Status.RESOURCE_EXHAUSTED.withDescription(which + " is larger than the message limit ("
            + MAX_MESSAGE_BYTES + " bytes) once decompressed")
        : Status.INVALID_ARGUMENT.withDescription(which + " is not a valid protobuf message of this method"
            + " (malformed bytes, a compressed body that does not decompress, or a string that is not UTF-8)");
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
      handler = closeUnreadable(handler);
    }
    return ServerMethodDefinition.create(descriptor.toBuilder().setRequestMarshaller(lean).build(), handler);
  }

  /** A unary call whose request is unreadable is answered here, before its method runs. */
  private static <Q, S> ServerCallHandler<Q, S> closeUnreadable(ServerCallHandler<Q, S> next) {
    return (call, headers) -> new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private boolean closed;

      @Override
      public void onMessage(Q message) {
        Status failure = failure(message, "the request");
        if (failure != null) {
          closed = true;
          call.close(failure, new Metadata());
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

  /** A short log line: protobuf's messages run to three sentences. */
  private static String firstSentence(String message) {
    if (message == null) {
      return "(no detail)";
    }
    int end = message.indexOf(". ");
    String first = end < 0 ? message : message.substring(0, end);
    return first.length() <= 120 ? first : first.substring(0, 120) + "…";
  }

  private static final class LeanMarshaller<Q> implements MethodDescriptor.PrototypeMarshaller<Q> {
    private final MethodDescriptor.PrototypeMarshaller<Q> original;
    private final Parser<?> parser;
    private final String methodName;
    private final Q unreadable;
    private final Q tooLarge;

    @SuppressWarnings("unchecked")
    LeanMarshaller(MethodDescriptor.PrototypeMarshaller<Q> original, String methodName) {
      this.original = original;
      this.methodName = methodName;
      Message prototype = (Message) original.getMessagePrototype();
      this.parser = DiscardUnknownFieldsParser.wrap(prototype.getParserForType());
      // New instances, not the default one.
      this.unreadable = (Q) prototype.newBuilderForType().buildPartial();
      this.tooLarge = (Q) prototype.newBuilderForType().buildPartial();
      STAND_INS.put(unreadable, Fault.UNREADABLE);
      STAND_INS.put(tooLarge, Fault.TOO_LARGE);
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
        byte[] bytes = stream.readAllBytes();
        Q message = (Q) parser.parseFrom(bytes);
        LAST_READ.set(new ReadSize(new WeakReference<>(message), bytes.length));
        return message;
      } catch (IOException e) {
        // InvalidProtocolBufferException, or the decompressor's (grpc-encoding: gzip): not gzip,
        // truncated, a bad checksum. grpc-java inflates as the message is read, here.
        unreadableLog.warn("unreadable " + methodName + " request: " + firstSentence(e.getMessage()));
        return unreadable;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED) {
          throw e;
        }
        // grpc-java's bound on what a compressed message inflates to.
        unreadableLog.warn("oversized " + methodName + " request: " + firstSentence(e.getStatus().getDescription()));
        return tooLarge;
      }
    }
  }
}
