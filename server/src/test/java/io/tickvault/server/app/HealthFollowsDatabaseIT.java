package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.OwnPostgres;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Health and calls while the server's own PostgreSQL goes away and comes back. */
class HealthFollowsDatabaseIT {
  @Test
  void healthIsNotServingWhilePostgresIsDown_andCallsFailUnavailable() {
    try (OwnPostgres postgres = OwnPostgres.start()) {
      try (InProcessApp server = InProcessApp.start(postgres.url())) {
        Application app = server.app();
        ManagedChannel channel = server.channel();
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(channel);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);

        postgres.stop();
        assertThat(app.healthMonitor().check()).isFalse();
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("tickvault.v1.MarketService").build()).getStatus())
            .isEqualTo(ServingStatus.NOT_SERVING);
        StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
            () -> markets.listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

        postgres.restart();
        // HikariCP retries new connections with a backoff of up to 5 s, so the first check after
        // a restart may still time out: poll within a bounded deadline.
        Eventually.await("the database check passes again", Duration.ofSeconds(20), app.healthMonitor()::check);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        assertThat(markets.listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()).getCurrencyPairsCount()).isZero();
      }
    }
  }
}
