package io.tickvault.server.auth;

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
 * PERMISSION_DENIED. Neither answer echoes the token.
 */
public final class AuthInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  private final RpcRules rules;
  private final BearerTokens tokens;
  private final boolean reflectionPublic;

  /** @param reflectionPublic true when reflection, like health, needs no token ({@code TICKVAULT_REFLECTION=public}) */
  public AuthInterceptor(RpcRules rules, BearerTokens tokens, boolean reflectionPublic) {
    this.rules = rules;
    this.tokens = tokens;
    this.reflectionPublic = reflectionPublic;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    MethodDescriptor<Q, R> method = call.getMethodDescriptor();
    RpcRule rule = rules.of(method.getFullMethodName());
    if (AccessPolicy.needsNoToken(rule, reflectionPublic)) {
      return next.startCall(call, headers);
    }
    Optional<Role> role = bearerToken(headers.get(AUTHORIZATION)).flatMap(tokens::roleOf);
    if (role.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription(headers.containsKey(AUTHORIZATION)
          ? "unknown bearer token"
          : "missing bearer token: send 'authorization: Bearer <token>'"));
    }
    if (!AccessPolicy.allows(role.get(), rule)) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription(
          method.getFullMethodName() + " needs an admin token; this is a " + role.get().name().toLowerCase() + " token"));
    }
    return next.startCall(call, headers);
  }

  private static Optional<String> bearerToken(String header) {
    if (header == null || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    return Optional.of(header.substring(BEARER.length()).trim());
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
