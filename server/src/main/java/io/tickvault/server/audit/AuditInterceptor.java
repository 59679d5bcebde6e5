package io.tickvault.server.audit;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.server.auth.RefusalListener;
import io.tickvault.server.grpc.Errors;
import io.tickvault.server.grpc.EventLoops;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Puts calls in the audit trail, inside authentication (so the caller is known):
 * <ul>
 *   <li>an RPC that returns a secret: its answer, headers included, is held until its record is
 *       durable ({@link AuditLog#recordDurably}), and is UNAVAILABLE instead when that fails. The
 *       hold waits on nothing: once the group is durable the answer is handed back to the event
 *       loop the call was read on (when it was read on one: a near-cache hit), so a near-cache hit
 *       never blocks it, and the answers of a group that share a loop leave together, in one
 *       flush per connection, instead of each waking the loop from the audit's thread;
 *   <li>an audited write: recorded as it ends, without waiting;
 *   <li>any other call that ends UNAUTHENTICATED or PERMISSION_DENIED: recorded the same way.
 * </ul>
 * Refusals by {@link io.tickvault.server.auth.AuthInterceptor} itself never reach this far: they
 * come through {@link #refusals()}. The user and exchange recorded are the request's
 * {@code user_id} and {@code exchange_id}, when it has them; the subject is the token the call acts
 * on: the request's {@code token_id} (RevokeToken), or that of the token the answer describes
 * ({@code info.token_id}: CreateToken).
 */
public final class AuditInterceptor implements ServerInterceptor {
  private final AuditLog audit;
  private final Set<String> secretReads;
  private final Set<String> writes;
  private final Clock clock;

  /**
   * @param secretReads the full names of the RPCs whose answers carry a secret
   * @param writes the full names of the admin writes
   */
  public AuditInterceptor(AuditLog audit, Set<String> secretReads, Set<String> writes, Clock clock) {
    this.audit = audit;
    this.secretReads = Set.copyOf(secretReads);
    this.writes = Set.copyOf(writes);
    this.clock = clock;
  }

  /** What {@link io.tickvault.server.auth.AuthInterceptor} tells of the calls it refuses: each becomes a record. */
  public RefusalListener refusals() {
    return (call, tokenId, code) -> audit.record(new AuditEvent(clock.millis(), tokenId, peer(call),
        call.getMethodDescriptor().getFullMethodName(), "", 0, code.name()));
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Executor loop = EventLoops.current();
    AuditedCall<Q, R> audited = new AuditedCall<>(call, method, secretReads.contains(method), writes.contains(method),
        CallerIds.current(), peer(call), loop != null ? loop : Runnable::run);
    ServerCall.Listener<Q> listener = next.startCall(audited, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        audited.request(message);
        super.onMessage(message);
      }
    };
  }

  /** The message's singular string field of that name, or {@code otherwise} when it has none. */
  private static String text(Message message, String field, String otherwise) {
    FieldDescriptor f = message.getDescriptorForType().findFieldByName(field);
    if (f == null || f.getJavaType() != FieldDescriptor.JavaType.STRING || f.isRepeated()) {
      return otherwise;
    }
    return (String) message.getField(f);
  }

  private static String peer(ServerCall<?, ?> call) {
    SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return address == null ? "" : address.toString();
  }

  /** One call, as the audit sees it: what it asked about, and its answer held when it is a secret. */
  private final class AuditedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private final String method;
    private final boolean secret;
    private final boolean write;
    private final String tokenId;
    private final String peer;
    /** Where a held answer is sent from: the call's event loop, or whichever thread found its record durable. */
    private final Executor answerOn;
    private String userId = "";
    private int exchangeId;
    private String subject = "";
    private Metadata heldHeaders;
    private R held;

    AuditedCall(ServerCall<Q, R> call, String method, boolean secret, boolean write, String tokenId, String peer,
                Executor answerOn) {
      super(call);
      this.method = method;
      this.secret = secret;
      this.write = write;
      this.tokenId = tokenId;
      this.peer = peer;
      this.answerOn = answerOn;
    }

    void request(Object message) {
      if (message instanceof Message request) {
        userId = text(request, "user_id", userId);
        FieldDescriptor exchange = request.getDescriptorForType().findFieldByName("exchange_id");
        if (exchange != null && exchange.getJavaType() == FieldDescriptor.JavaType.INT && !exchange.isRepeated()) {
          exchangeId = (Integer) request.getField(exchange);
        }
        subject = text(request, "token_id", subject);
      }
    }

    @Override
    public void sendHeaders(Metadata headers) {
      if (secret) {
        heldHeaders = headers; // sent with the answer, in the same flush; never when the call fails
      } else {
        super.sendHeaders(headers);
      }
    }

    @Override
    public void sendMessage(R message) {
      if (message instanceof Message answer) {
        FieldDescriptor info = answer.getDescriptorForType().findFieldByName("info");
        if (info != null && info.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !info.isRepeated()) {
          subject = text((Message) answer.getField(info), "token_id", subject);
        }
      }
      if (secret) {
        held = message; // a unary answer: sent once its record is durable, in close()
      } else {
        super.sendMessage(message);
      }
    }

    @Override
    public void close(Status status, Metadata trailers) {
      boolean refusal = status.getCode() == Status.Code.PERMISSION_DENIED || status.getCode() == Status.Code.UNAUTHENTICATED;
      if (!secret && !write && !refusal) {
        super.close(status, trailers);
        return;
      }
      AuditEvent event = new AuditEvent(clock.millis(), tokenId, peer, method, userId, exchangeId,
          status.getCode().name(), subject);
      if (!secret || !status.isOk()) {
        audit.record(event);
        super.close(status, trailers);
        return;
      }
      audit.recordDurably(event).whenComplete((durable, failure) -> {
        Runnable answer = () -> answer(status, trailers, failure);
        try {
          answerOn.execute(answer);
        } catch (RejectedExecutionException e) {
          answer.run(); // the loop is shut down with its connections: the call still ends
        }
      });
    }

    /** The held answer once its record is durable; UNAVAILABLE, without it, when it could not be made so. */
    private void answer(Status status, Metadata trailers, Throwable failure) {
      if (failure == null) {
        if (heldHeaders != null) {
          super.sendHeaders(heldHeaders);
        }
        if (held != null) {
          super.sendMessage(held);
        }
        super.close(status, trailers);
      } else {
        held = null;
        StatusRuntimeException unavailable = unavailable(failure);
        super.close(unavailable.getStatus(), unavailable.getTrailers() != null ? unavailable.getTrailers() : new Metadata());
      }
    }
  }

  private static StatusRuntimeException unavailable(Throwable failure) {
    String why = failure instanceof AuditUnavailableException ? failure.getMessage()
        : "the audit record of this call was not durable within " + AuditLog.DURABLE_WITHIN.toMillis() + " ms: retry later";
    return Errors.retryLater(Status.Code.UNAVAILABLE, why);
  }
}
