package io.tickvault.server.service;

import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.AuthServiceGrpc;
import io.tickvault.api.v1.WhoAmIRequest;
import io.tickvault.api.v1.WhoAmIResponse;
import io.tickvault.server.auth.AccessTokens;
import io.tickvault.server.auth.Caller;
import io.tickvault.server.grpc.UnaryCalls;

/** {@code tickvault.v1.AuthService}: what the caller's own token may do, from memory. */
public final class AuthGrpcService extends AuthServiceGrpc.AuthServiceImplBase {
  private final AccessTokens tokens;

  public AuthGrpcService(AccessTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public void whoAmI(WhoAmIRequest request, StreamObserver<WhoAmIResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Caller caller = Caller.current();
      return WhoAmIResponse.newBuilder()
          .setToken(tokens.find(caller.tokenId()).map(TokenMessages::info).orElseGet(() -> TokenMessages.info(caller)))
          .build();
    });
  }
}
