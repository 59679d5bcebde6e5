package io.tickvault.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tickvault.server.grpc.RpcRule;
import io.tickvault.server.grpc.RpcRules;
import java.util.Optional;

/**
 * Checks {@code authorization: Bearer <token>} on every call except health (and reflection when
 * it is public):
 * no token or an unknown one is UNAUTHENTICATED, a known token without the right is
 * PERMISSION_DENIED. Neither answer echoes the token. A call let through runs with its
 * {@link Caller} in its context; one let through with a stored token is also registered in
 * {@link OpenCalls}, which ends it when the token is revoked or expires.
 */
public final class AuthInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  private final RpcRules rules;
  private final TokenVerifier tokens;
  private final boolean reflectionPublic;
  private final RefusalListener refusals;
  private final OpenCalls openCalls;

  /**
   * @param reflectionPublic true when reflection, like health, needs no token ({@code TICKVAULT_REFLECTION=public})
   * @param refusals told of every refused call (the audit trail)
   * @param openCalls where a call admitted with a stored token is registered, so that its revocation or expiry ends it
   */
  public AuthInterceptor(RpcRules rules, TokenVerifier tokens, boolean reflectionPublic, RefusalListener refusals,
                         OpenCalls openCalls) {
    this.rules = rules;
    this.tokens = tokens;
    this.reflectionPublic = reflectionPublic;
    this.refusals = refusals;
    this.openCalls = openCalls;
  }

  /**
   * When no token is configured: nothing is checked, and every call runs as
   * {@link Caller#authenticationOff()}, so that the code of a call finds a caller either way.
   */
  public static ServerInterceptor authenticationOff() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                         ServerCallHandler<Q, R> next) {
        return admit(Caller.authenticationOff(), call, headers, next);
      }
    };
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    MethodDescriptor<Q, R> method = call.getMethodDescriptor();
    RpcRule rule = rules.of(method.getFullMethodName());
    if (AccessPolicy.needsNoToken(rule, reflectionPublic)) {
      return admit(Caller.withoutToken(), call, headers, next);
    }
    Optional<Caller> caller = bearerToken(headers.get(AUTHORIZATION)).flatMap(tokens::callerOf);
    if (caller.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription(headers.containsKey(AUTHORIZATION)
          ? "unknown bearer token"
          : "missing bearer token: send 'authorization: Bearer <token>'"), "");
    }
    if (!AccessPolicy.allows(caller.get(), rule)) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription(method.getFullMethodName() + " needs "
          + rule.needs().orElseThrow().protoName() + ", which token " + caller.get().tokenId() + " does not have"),
          caller.get().tokenId());
    }
    if (TokenFormat.isId(caller.get().tokenId())) { // a stored token: it may be revoked or expire while the call runs
      return openCalls.admit(caller.get(), call, headers, next, refusals);
    }
    return admit(caller.get(), call, headers, next);
  }

  private static <Q, R> ServerCall.Listener<Q> admit(Caller caller, ServerCall<Q, R> call, Metadata headers,
                                                     ServerCallHandler<Q, R> next) {
    return Contexts.interceptCall(caller.attachTo(Context.current()), call, headers, next);
  }

  private static Optional<String> bearerToken(String header) {
    if (header == null || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    return Optional.of(header.substring(BEARER.length()).trim());
  }

  private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, String tokenId) {
    refusals.refused(call, tokenId, status.getCode());
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
