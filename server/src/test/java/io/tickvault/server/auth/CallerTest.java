package io.tickvault.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetApiKeysResponse;
import io.tickvault.server.grpc.Permission;
import io.tickvault.server.service.Rpcs;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The caller a call's own code finds, on its thread and on an executor it hands work to in its context. */
class CallerTest {
  private static final String WORKER = "worker-token-0123456789abcdef";

  private final AtomicReference<Caller> seen = new AtomicReference<>();
  private final AtomicReference<Caller> seenElsewhere = new AtomicReference<>();
  private final ExecutorService elsewhere = Executors.newSingleThreadExecutor();
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    elsewhere.shutdownNow();
  }

  @Test
  void aWorkerTokensCall_runsAsItsEnvironmentCaller() throws Exception {
    start(new AuthInterceptor(Rpcs.all(), new BearerTokens(List.of(WORKER), List.of()), false,
        RefusalListener.NONE, new OpenCalls(tokenId -> Optional.empty())));
    call(WORKER);
    assertThat(seen.get().tokenId()).isEqualTo(BearerTokens.tokenId(Role.WORKER, WORKER));
    assertThat(seen.get().permissions()).containsExactlyInAnyOrderElementsOf(Role.WORKER.permissions());
    assertThat(seen.get().may(Permission.TOKENS_ADMIN)).isFalse();
    assertThat(seenElsewhere.get()).isSameAs(seen.get());
  }

  @Test
  void withAuthenticationOff_everyCallIsAnAnonymousCallerWhoMayDoEverything() throws Exception {
    start(AuthInterceptor.authenticationOff());
    call(null);
    assertThat(seen.get().tokenId()).isEqualTo(Caller.ANONYMOUS_ID);
    assertThat(seen.get().permissions()).isEqualTo(EnumSet.allOf(Permission.class));
    assertThat(seen.get().scope().isUnrestricted()).isTrue();
    assertThat(seenElsewhere.get()).isSameAs(seen.get());
  }

  @Test
  void outsideAnyCall_thereIsNoCaller() {
    assertThatThrownBy(Caller::current).isInstanceOf(IllegalStateException.class);
  }

  private void call(String token) {
    ApiKeyServiceGrpc.ApiKeyServiceBlockingStub stub = ApiKeyServiceGrpc.newBlockingStub(channel);
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    stub.getApiKeys(GetApiKeysRequest.newBuilder().setUserId("u1").build());
  }

  private void start(ServerInterceptor auth) throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder(ApiKeyServiceGrpc.SERVICE_NAME)
        .addMethod(ApiKeyServiceGrpc.getGetApiKeysMethod(), ServerCalls.asyncUnaryCall((request, response) -> {
          seen.set(Caller.current());
          CompletableFuture.runAsync(io.grpc.Context.current().wrap(() -> seenElsewhere.set(Caller.current())), elsewhere).join();
          response.onNext(GetApiKeysResponse.getDefaultInstance());
          response.onCompleted();
        }))
        .build();
    String name = "caller-test-" + UUID.randomUUID();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(service, auth)).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }
}
