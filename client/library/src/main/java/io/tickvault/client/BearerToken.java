package io.tickvault.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * Call credentials that send {@code authorization: Bearer <token>} with every call, the header the
 * server checks against TICKVAULT_WORKER_TOKENS and TICKVAULT_ADMIN_TOKENS.
 */
public final class BearerToken extends CallCredentials {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String headerValue;

  /**
   * @param token the token as configured on the server, without the "Bearer " prefix
   * @throws IllegalArgumentException when the token is empty or holds characters a header cannot
   */
  public BearerToken(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("token: must not be empty");
    }
    if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("token: only printable ASCII without spaces is allowed");
    }
    this.headerValue = "Bearer " + token;
  }

  @Override
  public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    try {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, headerValue);
      applier.apply(headers);
    } catch (RuntimeException e) {
      applier.fail(Status.UNAUTHENTICATED.withDescription("could not attach the bearer token").withCause(e));
    }
  }

  @Override
  public String toString() {
    return "BearerToken[redacted]"; // never print the token itself
  }
}
