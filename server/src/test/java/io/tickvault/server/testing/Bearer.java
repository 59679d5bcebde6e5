package io.tickvault.server.testing;

import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.tickvault.server.auth.AuthInterceptor;

/** Stubs that send a bearer token. */
public final class Bearer {
  private Bearer() {}

  public static <S extends AbstractStub<S>> S as(String token, S stub) {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }
}
