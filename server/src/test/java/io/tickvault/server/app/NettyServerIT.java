package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.server.testing.Responses;
import io.tickvault.server.testing.TestServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server over a real Netty port: health, reflection and a call through the whole path. */
class NettyServerIT {
  @RegisterExtension
  static TestServer server = TestServer.netty();

  @Test
  void healthIsServingForTheServerAndEachService() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel());

    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    for (String service : List.of(ApiKeyServiceGrpc.SERVICE_NAME, ApiKeyAdminServiceGrpc.SERVICE_NAME,
        MarketServiceGrpc.SERVICE_NAME, IngestServiceGrpc.SERVICE_NAME, QueryServiceGrpc.SERVICE_NAME)) {
      assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
          .as(service).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void reflectionListsTheTickvaultServicesHealthAndReflection() throws Exception {
    Responses<ServerReflectionResponse> answer = new Responses<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(server.channel())
        .serverReflectionInfo(answer);
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    List<String> names = answer.first().get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).toList();
    assertThat(names).contains("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection", "tickvault.v1.MarketService");
  }

  @Test
  void marketCallsGoThroughToPostgres() {
    MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(server.channel());
    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(5).setCode("kraken").build());
    markets.putCurrencyPair(PutCurrencyPairRequest.newBuilder()
        .setExchangeId(5).setCurrencyPairNo(3).setBaseCurrency("XBT").setQuoteCurrency("EUR").build());

    Long rows = server.database().jdbc()
        .queryOne("SELECT count(*) FROM currency_pairs WHERE exchange_id = 5", r -> r.getLong(1)).orElseThrow();
    assertThat(rows).isEqualTo(1);
    assertThat(markets.listCurrencyPairs(ListCurrencyPairsRequest.newBuilder().setExchangeId(5).build())
        .getCurrencyPairs(0).getQuoteCurrency()).isEqualTo("EUR");
  }
}
