package io.tickvault.client;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;

/** Adds the client's call credentials (its bearer token) to every call that has none of its own. */
final class DefaultCredentials implements ClientInterceptor {
  private final CallCredentials credentials;

  DefaultCredentials(CallCredentials credentials) {
    this.credentials = credentials;
  }

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
    return next.newCall(method, options.getCredentials() == null ? options.withCallCredentials(credentials) : options);
  }
}
