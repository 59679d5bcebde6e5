package io.tickvault.server.testing;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.tickvault.server.auth.AuthInterceptor;

/** Stubs that send a bearer token. */
public final class Bearer {
  private Bearer() {}

  public static <S extends AbstractStub<S>> S as(String token, S stub) {
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(token)));
  }

  /** The channel, every call on it sending the token. */
  public static Channel channel(Channel channel, String token) {
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers(token)));
  }

  private static Metadata headers(String token) {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
    return headers;
  }
}
