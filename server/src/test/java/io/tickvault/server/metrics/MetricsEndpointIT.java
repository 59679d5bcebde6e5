package io.tickvault.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.tickvault.api.TickvaultVersion;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.client.TradeStreamWriter;
import io.tickvault.server.testing.Ports;
import io.tickvault.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Scrapes {@code /metrics} over HTTP around real calls and checks each figure moved as it should. */
class MetricsEndpointIT {
  private static final int POOL_SIZE = 4;

  @RegisterExtension
  static TestServer server = TestServer.netty()
      .configure(b -> b.metricsPort(Ports.free()).databasePoolSize(POOL_SIZE));

  @Test
  void grpcCallsAreCountedByServiceMethodAndCode_withLatencies() throws Exception {
    MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(server.channel());
    Scrape before = Scrape.of(server.app().metricsPort());

    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(41).setCode("metrics-a").build());
    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(42).setCode("metrics-b").build());
    StatusRuntimeException bad = catchThrowableOfType(StatusRuntimeException.class,
        () -> markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(-1).setCode("x").build()));
    assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    HealthGrpc.newBlockingStub(server.channel()).check(HealthCheckRequest.getDefaultInstance());

    Scrape after = Scrape.of(server.app().metricsPort());
    String[] putExchange = {"grpc_service", "tickvault.v1.MarketService", "grpc_method", "PutExchange"};
    assertThat(delta(before, after, "grpc_server_handled_total", with(putExchange, "grpc_code", "OK"))).isEqualTo(2);
    assertThat(delta(before, after, "grpc_server_handled_total", with(putExchange, "grpc_code", "INVALID_ARGUMENT")))
        .isEqualTo(1);
    assertThat(delta(before, after, "grpc_server_started_total", putExchange)).isEqualTo(3);
    assertThat(delta(before, after, "grpc_server_handling_seconds_count", putExchange)).isEqualTo(3);
    assertThat(delta(before, after, "grpc_server_handling_seconds_sum", putExchange)).isPositive();
    // Every call finished within the last bucket, and the buckets are cumulative.
    assertThat(delta(before, after, "grpc_server_handling_seconds_bucket", with(putExchange, "le", "+Inf")))
        .isEqualTo(3);
    assertThat(delta(before, after, "grpc_server_handled_total",
        "grpc_service", "grpc.health.v1.Health", "grpc_method", "Check", "grpc_code", "OK")).isEqualTo(1);
  }

  @Test
  void clientsThatSendHalfARequest_doNotStallScraping_andAreCutOff() throws Exception {
    List<java.net.Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 12; i++) { // more than the endpoint's threads
        java.net.Socket socket = new java.net.Socket("127.0.0.1", server.app().metricsPort());
        socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        stalled.add(socket);
      }
      long start = System.nanoTime();
      assertThat(Scrape.of(server.app().metricsPort()).text()).contains("grpc_server_started_total");
      System.out.printf("MetricsEndpointIT: a scrape beside 12 half-sent requests took %d ms%n",
          java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));

      java.net.Socket first = stalled.get(0);
      first.setSoTimeout(30_000);
      assertThat(first.getInputStream().read()).as("the server closed the half-sent request").isEqualTo(-1);
    } finally {
      for (java.net.Socket socket : stalled) {
        socket.close();
      }
    }
  }

  @Test
  void buildInfoNamesTheVersion() throws Exception {
    Scrape scrape = Scrape.of(server.app().metricsPort());

    assertThat(scrape.value("tickvault_build_info", "version", TickvaultVersion.current())).hasValue(1.0);
  }

  @Test
  void apiKeyCacheHitsAndMissesAreCounted_andRedisErrorsExported() throws Exception {
    ApiKeyServiceGrpc.ApiKeyServiceBlockingStub apiKeys = ApiKeyServiceGrpc.newBlockingStub(server.channel());
    GetApiKeysRequest request = GetApiKeysRequest.newBuilder().setUserId("metrics-" + System.nanoTime()).build();
    Scrape before = Scrape.of(server.app().metricsPort());

    apiKeys.getApiKeys(request); // a user never seen: a miss, then cached (even with no keys)
    apiKeys.getApiKeys(request);
    apiKeys.getApiKeys(request);

    Scrape after = Scrape.of(server.app().metricsPort());
    assertThat(delta(before, after, "tickvault_api_key_cache_requests_total", "result", "miss")).isEqualTo(1);
    assertThat(delta(before, after, "tickvault_api_key_cache_requests_total", "result", "hit")).isEqualTo(2);
    assertThat(after.value("tickvault_redis_errors_total", "operation", "lookup")).isPresent();
  }

  @Test
  void connectionPoolFiguresFollowHikari() throws Exception {
    Scrape scrape = Scrape.of(server.app().metricsPort());

    var pool = server.app().dataSource().getHikariPoolMXBean();
    assertThat(scrape.value("tickvault_db_pool_connections", "state", "max")).hasValue(POOL_SIZE);
    assertThat(scrape.value("tickvault_db_pool_connections", "state", "total").orElseThrow())
        .isPositive().isLessThanOrEqualTo(POOL_SIZE);
    assertThat(scrape.value("tickvault_db_pool_connections", "state", "active")).isPresent();
    assertThat(scrape.value("tickvault_db_pool_connections", "state", "idle")).isPresent();
    assertThat(scrape.value("tickvault_db_pool_pending_threads")).hasValue(0);

    // Holding a connection shows up as one more active connection on the next scrape.
    double activeBefore = scrape.value("tickvault_db_pool_connections", "state", "active").orElseThrow();
    try (var held = server.app().dataSource().getConnection()) {
      assertThat(held.isValid(1)).isTrue();
      assertThat(Scrape.of(server.app().metricsPort()).value("tickvault_db_pool_connections", "state", "active").orElseThrow())
          .isEqualTo(activeBefore + 1);
    }
    assertThat(pool.getTotalConnections()).isLessThanOrEqualTo(POOL_SIZE);
  }

  @Test
  void ingestedTradesAreCountedByOutcome() throws Exception {
    MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(server.channel());
    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(50).setCode("metrics-ingest").build());
    markets.putCurrencyPair(PutCurrencyPairRequest.newBuilder()
        .setExchangeId(50).setCurrencyPairNo(1).setBaseCurrency("BTC").setQuoteCurrency("USDT").build());
    String run = Long.toString(System.nanoTime());
    Scrape before = Scrape.of(server.app().metricsPort());

    write(trade(run + "-1", "100.5"), trade(run + "-2", "100.6"), trade(run + "-3", "-1"));
    write(trade(run + "-1", "100.5"), trade(run + "-2", "100.6")); // a replay: duplicates

    Scrape after = Scrape.of(server.app().metricsPort());
    assertThat(delta(before, after, "tickvault_ingest_records_total", "kind", "trade", "outcome", "inserted")).isEqualTo(2);
    assertThat(delta(before, after, "tickvault_ingest_records_total", "kind", "trade", "outcome", "duplicate")).isEqualTo(2);
    assertThat(delta(before, after, "tickvault_ingest_records_total", "kind", "trade", "outcome", "rejected")).isEqualTo(1);
    assertThat(delta(before, after, "tickvault_ingest_records_total", "kind", "orderbook", "outcome", "inserted")).isZero();
    // Each writer sent one request, written as one batch and acknowledged once.
    assertThat(delta(before, after, "tickvault_db_write_seconds_count", "kind", "trade")).isEqualTo(2);
    assertThat(delta(before, after, "tickvault_db_write_seconds_sum", "kind", "trade")).isPositive();
    String[] streamTrades = {"grpc_service", "tickvault.v1.IngestService", "grpc_method", "StreamTrades"};
    assertThat(delta(before, after, "grpc_server_msg_received_total", streamTrades)).isEqualTo(2);
    assertThat(delta(before, after, "grpc_server_msg_sent_total", streamTrades)).isEqualTo(2);
    assertThat(after.value("tickvault_dependency_up", "dependency", "postgresql")).hasValue(1);
  }

  private static void write(Trade... trades) throws InterruptedException {
    try (TradeStreamWriter writer = TradeStreamWriter.open(server.channel())) {
      for (Trade trade : trades) {
        writer.write(trade);
      }
      assertThat(writer.finish().written()).isEqualTo(trades.length);
    }
  }

  private static Trade trade(String id, String price) {
    return Trade.newBuilder().setExchangeId(50).setCurrencyPairNo(1).setTradeId(id).setPrice(price)
        .setQuantity("1").setTradeTimeMs(1_764_115_200_000L).build();
  }

  @Test
  void ingestCountersAndJvmFiguresAreExported() throws Exception {
    Scrape scrape = Scrape.of(server.app().metricsPort());

    for (String kind : new String[] {"trade", "orderbook"}) {
      for (String outcome : new String[] {"inserted", "duplicate", "rejected"}) {
        assertThat(scrape.value("tickvault_ingest_records_total", "kind", kind, "outcome", outcome))
            .as(kind + " " + outcome).isPresent();
      }
    }
    assertThat(scrape.value("jvm_threads_current").orElseThrow()).isPositive();
  }

  private static double delta(Scrape before, Scrape after, String name, String... labels) {
    return after.valueOrZero(name, labels) - before.valueOrZero(name, labels);
  }

  private static String[] with(String[] labels, String name, String value) {
    String[] all = java.util.Arrays.copyOf(labels, labels.length + 2);
    all[labels.length] = name;
    all[labels.length + 1] = value;
    return all;
  }
}
