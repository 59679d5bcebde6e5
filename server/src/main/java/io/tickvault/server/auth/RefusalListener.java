package io.tickvault.server.auth;

import io.grpc.ServerCall;
import io.grpc.Status;

/** Told of every call {@link AuthInterceptor} refuses, so that the refusal can be recorded. Must not block. */
@FunctionalInterface
public interface RefusalListener {
  RefusalListener NONE = (call, tokenId, code) -> {};

  /**
   * @param call the refused call, not yet closed
   * @param tokenId the id of the token that was refused, "" when no known token was sent
   * @param code UNAUTHENTICATED or PERMISSION_DENIED
   */
  void refused(ServerCall<?, ?> call, String tokenId, Status.Code code);
}
