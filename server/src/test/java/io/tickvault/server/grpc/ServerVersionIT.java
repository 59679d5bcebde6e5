package io.tickvault.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.TickvaultVersion;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.client.TickvaultClient;
import io.tickvault.server.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server says its version on every call, refused ones included. */
class ServerVersionIT {
  private static final String WORKER_TOKEN = "worker-token-version-0001";

  @RegisterExtension
  static TestServer server = TestServer.netty()
      .configure(b -> b.authDisabled(false).workerTokens(List.of(WORKER_TOKEN)));

  @Test
  void theVersionIsTheBuildsOwn_fromMaven() {
    assertThat(TickvaultVersion.current()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @Test
  void everyAnswerCarriesTheServerVersion_readByTheClient() {
    try (TickvaultClient client = TickvaultClient.builder().target("127.0.0.1:" + server.port()).build()) {
      assertThat(client.serverVersion()).hasValue(TickvaultVersion.current());
    }
  }

  @Test
  void aCallRefusedBeforeAnyHeader_carriesTheVersionInItsTrailers() {
    MarketServiceGrpc.MarketServiceBlockingStub noToken = MarketServiceGrpc.newBlockingStub(server.channel());

    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
        () -> noToken.listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()));

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(refused.getTrailers().get(ServerVersionInterceptor.HEADER)).isEqualTo(TickvaultVersion.current());
  }
}
