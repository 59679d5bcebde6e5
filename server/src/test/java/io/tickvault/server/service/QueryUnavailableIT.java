package io.tickvault.server.service;

import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgument;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static io.tickvault.server.testing.QueryCalls.ingestTrades;
import static io.tickvault.server.testing.QueryCalls.readTradePages;
import static io.tickvault.server.testing.QueryCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tickvault.api.v1.GetCandlesRequest;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.GetOrderBookRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PostgreSQL stopped: every read that needs it fails with UNAVAILABLE (retryable), and works again after. */
class QueryUnavailableIT {
  static final long T0 = TradeCalls.TIME;

  @Test
  void postgresDown_readsAreUnavailable_andServeAgainWhenItIsBack() {
    try (OwnPostgres postgres = OwnPostgres.start()) {
      TestDatabase db = new TestDatabase(postgres.url());
      db.create();
      try (InProcessApp app = InProcessApp.start(db.url())) {
        TradeCalls.registerMarket(app.channel(), 1, 1);
        ingestTrades(app.channel(), List.of(trade(1, 1, "u", T0, "1.50", "2")));
        ReadTradesRequest read = ReadTradesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1).build();
        assertThat(QueryCalls.tradesOf(readTradePages(app.channel(), read))).hasSize(1);
        var query = QueryServiceGrpc.newBlockingStub(app.channel());

        postgres.stop();
        assertUnavailable(() -> readTradePages(app.channel(), read));
        assertUnavailable(() -> QueryCalls.readOrderBookPages(app.channel(),
            ReadOrderBooksRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1).build()));
        assertUnavailable(() -> query.getOrderBook(GetOrderBookRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1).build()));
        assertUnavailable(() -> query.getCandles(GetCandlesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
            .setStartTimeMs(T0).setEndTimeMs(T0 + 60_000).setIntervalMs(60_000).build()));
        // Whether market 1/2 is registered cannot be known now: a request that is bad anyway
        // says so (retrying it cannot help), a good one is UNAVAILABLE like the others.
        ReadTradesRequest unknownMarket = read.toBuilder().setCurrencyPairNo(2).build();
        assertInvalidArgument(rpcError(() -> readTradePages(app.channel(), unknownMarket.toBuilder().setPageSize(10_001).build())),
            "page_size", "must be 1 to 10000, or 0 for the default 1000, got 10001");
        assertUnavailable(() -> readTradePages(app.channel(), unknownMarket));
        assertUnavailable(() -> query.getMarketState(GetMarketStateRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(2).build()));

        postgres.restart();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
          try {
            assertThat(QueryCalls.tradesOf(readTradePages(app.channel(), read))).extracting(t -> t.getPrice()).containsExactly("1.50");
            break;
          } catch (io.grpc.StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(System.nanoTime()).as("PostgreSQL back within a minute").isLessThan(deadline);
          }
        }
      } finally {
        db.drop();
      }
    }
  }

  private static void assertUnavailable(Runnable call) {
    assertThat(rpcError(call).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }
}
