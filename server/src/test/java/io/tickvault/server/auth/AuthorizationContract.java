package io.tickvault.server.auth;

import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.DeleteApiKeyRequest;
import io.tickvault.api.v1.Exchange;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.ListCurrencyPairsResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.testing.Responses;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Who may call what, checked through a real channel; subclasses run it in-process, over TLS and
 * over mutual TLS.
 */
abstract class AuthorizationContract {
  static final String WORKER = "worker-token-0123456789abcdef";
  static final String ADMIN = "admin-token-0123456789abcdef";

  /** Turns authentication on with one worker and one admin token. */
  static ServerConfig.Builder withTokens(ServerConfig.Builder b) {
    return b.authDisabled(false).workerTokens(List.of(WORKER)).adminTokens(List.of(ADMIN));
  }

  /** A channel to the server under test, as a client allowed to connect would open it. */
  abstract Channel channel();

  @Test
  void noToken_isUnauthenticatedOnEveryTickvaultService() {
    assertStatus(() -> keys(null).getApiKeys(get()), Status.Code.UNAUTHENTICATED);
    assertStatus(() -> admin(null).putApiKey(PutApiKeyRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
    assertStatus(() -> markets(null).listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
    assertThat(ingestTrades(null).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertStatus(() -> query(null).getMarketState(GetMarketStateRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
    assertThat(rpcError(() -> keys(null).getApiKeys(get())).getStatus().getDescription())
        .isEqualTo("missing bearer token: send 'authorization: Bearer <token>'");
  }

  @Test
  void unknownOrMalformedToken_isUnauthenticatedWithoutEchoingIt() {
    StatusRuntimeException e = rpcError(() -> keys("not-a-known-token-0000000").getApiKeys(get()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription()).isEqualTo("unknown bearer token");

    Metadata basic = new Metadata();
    basic.put(AuthInterceptor.AUTHORIZATION, "Basic " + WORKER);
    assertStatus(() -> ApiKeyServiceGrpc.newBlockingStub(channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(basic)).getApiKeys(get()), Status.Code.UNAUTHENTICATED);
    assertStatus(() -> admin(ADMIN + "x").deleteApiKey(DeleteApiKeyRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
  }

  @Test
  void workerToken_mayReadKeysListPairsAndIngest() {
    assertThat(keys(WORKER).getApiKeys(get()).getApiKeysList()).isEmpty();
    // An exchange no test registers: the answer is known exactly, whatever ran before.
    assertThat(markets(WORKER).listCurrencyPairs(ListCurrencyPairsRequest.newBuilder().setExchangeId(999).build()))
        .isEqualTo(ListCurrencyPairsResponse.getDefaultInstance());
    assertThat(ingestTrades(WORKER).isOk()).isTrue();
    // Past authorization: the service itself refuses the empty request.
    assertStatus(() -> query(WORKER).getMarketState(GetMarketStateRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT);
    assertStatus(() -> query(WORKER).readTrades(ReadTradesRequest.getDefaultInstance()).hasNext(), Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void workerToken_isPermissionDeniedOnEveryAdminMethod() {
    assertStatus(() -> admin(WORKER).putApiKey(PutApiKeyRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED);
    assertStatus(() -> admin(WORKER).deleteApiKey(DeleteApiKeyRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED);
    assertStatus(() -> markets(WORKER).putExchange(PutExchangeRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED);
    assertStatus(() -> markets(WORKER).putCurrencyPair(PutCurrencyPairRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED);
    assertThat(rpcError(() -> admin(WORKER).putApiKey(PutApiKeyRequest.getDefaultInstance())).getStatus().getDescription())
        .isEqualTo("tickvault.v1.ApiKeyAdminService/PutApiKey needs PERMISSION_API_KEYS_WRITE, which token "
            + BearerTokens.tokenId(Role.WORKER, WORKER) + " does not have");
  }

  @Test
  void adminToken_mayCallEverything() {
    assertThat(keys(ADMIN).getApiKeys(get()).getApiKeysList()).isEmpty();
    markets(ADMIN).putExchange(PutExchangeRequest.newBuilder().setExchangeId(7).setCode("kraken").build());
    assertThat(markets(ADMIN).listCurrencyPairs(ListCurrencyPairsRequest.newBuilder().setExchangeId(7).build()).getExchangesList())
        .containsExactly(Exchange.newBuilder().setExchangeId(7).setCode("kraken").build());
    assertThat(admin(ADMIN).deleteApiKey(DeleteApiKeyRequest.newBuilder()
        .setUserId("nobody").setExchangeId(7).setAccessKey("AK").build()).getDeleted()).isFalse();
    assertThat(ingestTrades(ADMIN).isOk()).isTrue();
  }

  @Test
  void health_needsNoToken() {
    assertThat(HealthGrpc.newBlockingStub(channel()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void reflection_needsAWorkerOrAdminToken() {
    assertThat(listServices(null).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(listServices("not-a-token-0123456789").getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(listServices(WORKER).isOk()).isTrue();
    assertThat(listServices(ADMIN).isOk()).isTrue();
  }

  /** A reflection request listing the services; the status the call ends with. */
  private Status listServices(String token) {
    return AuthorizationContract.<io.grpc.reflection.v1.ServerReflectionResponse>endOf(observer -> {
      StreamObserver<ServerReflectionRequest> requests =
          withToken(ServerReflectionGrpc.newStub(channel()), token).serverReflectionInfo(observer);
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      requests.onCompleted();
    });
  }

  private ApiKeyServiceGrpc.ApiKeyServiceBlockingStub keys(String token) {
    return withToken(ApiKeyServiceGrpc.newBlockingStub(channel()), token);
  }

  private ApiKeyAdminServiceGrpc.ApiKeyAdminServiceBlockingStub admin(String token) {
    return withToken(ApiKeyAdminServiceGrpc.newBlockingStub(channel()), token);
  }

  private QueryServiceGrpc.QueryServiceBlockingStub query(String token) {
    return withToken(QueryServiceGrpc.newBlockingStub(channel()), token);
  }

  private MarketServiceGrpc.MarketServiceBlockingStub markets(String token) {
    return withToken(MarketServiceGrpc.newBlockingStub(channel()), token);
  }

  /** An IngestTrades stream without trades; the status it ends with. */
  private Status ingestTrades(String token) {
    return AuthorizationContract.<io.tickvault.api.v1.IngestTradesResponse>endOf(
        observer -> withToken(IngestServiceGrpc.newStub(channel()), token).ingestTrades(observer).onCompleted());
  }

  /** Starts a call with an observer that ignores answers; the status the call ends with. */
  private static <S> Status endOf(java.util.function.Consumer<StreamObserver<S>> start) {
    Responses<S> call = new Responses<>();
    start.accept(call);
    try {
      return call.end().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  static <S extends AbstractStub<S>> S withToken(S stub, String token) {
    if (token == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static GetApiKeysRequest get() {
    return GetApiKeysRequest.newBuilder().setUserId("nobody-" + System.nanoTime()).build();
  }

  private static void assertStatus(Runnable call, Status.Code code) {
    assertThat(rpcError(call).getStatus().getCode()).isEqualTo(code);
  }
}
