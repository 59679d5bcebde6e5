package io.tickvault.client;

import static io.tickvault.server.trade.TradeCalls.countTrades;
import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static io.tickvault.server.trade.TradeCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.grpc.ManagedChannel;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client's TradeStreamWriter against the real server. */
class TradeStreamWriterIT {
  @RegisterExtension
  static TestServer server = TestServer.netty();

  @BeforeEach
  void setUp() {
    server.database().truncate("trades", "currency_pairs", "exchanges CASCADE");
    registerMarket(server.channel(), 1, 1);
  }

  @Test
  void writesEveryTrade_andTheSummaryCountsThem() throws Exception {
    TradeStreamWriter.Summary summary;
    try (TradeStreamWriter writer = TradeStreamWriter.open(server.channel())) {
      for (long i = 0; i < 25_000; i++) {
        writer.write(TradeCalls.trade(i));
      }
      summary = writer.finish();
      assertThat(writer.acknowledgedTrades()).isEqualTo(25_000);
    }

    assertThat(summary.written()).isEqualTo(25_000);
    assertThat(summary.inserted()).isEqualTo(25_000);
    assertThat(summary.duplicates()).isZero();
    assertThat(summary.reconnects()).isZero();
    assertThat(countTrades(server.database().jdbc())).isEqualTo(25_000);
  }

  @Test
  void aTradeLargerThanARequestMayBe_isRefusedBeforeItJoinsABatch_andTheTradesAroundItAreStored() throws Exception {
    assertThat(BatchingStreamWriter.MAX_REQUEST_BYTES).isEqualTo(io.tickvault.server.grpc.RequestParsing.MAX_MESSAGE_BYTES);
    io.tickvault.api.v1.Trade huge = TradeCalls.trade(1).toBuilder().setTradeId("z".repeat(5 << 20)).build();
    TradeStreamWriter.Summary summary;
    try (TradeStreamWriter writer = TradeStreamWriter.open(server.channel())) {
      writer.write(TradeCalls.trade(0));
      assertThatThrownBy(() -> writer.write(huge)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("a trade of 5,24").hasMessageEndingWith(" bytes is larger than a request may carry "
              + "(4,128,768 bytes; the server takes messages up to 4,194,304): not sent");
      writer.write(TradeCalls.trade(2));
      summary = writer.finish();
    }

    assertThat(summary.written()).isEqualTo(2);
    assertThat(summary.inserted()).isEqualTo(2);
    assertThat(summary.reconnects()).isZero();
    assertThat(countTrades(server.database().jdbc())).isEqualTo(2);
    assertThatThrownBy(() -> new TradeStreamWriter.Options(2_000, 8 << 20, 16, Duration.ofMinutes(2), io.grpc.CallOptions.DEFAULT))
        .hasMessageStartingWith("maxBatchBytes must be 1 to 4128768");
  }

  @Test
  void stop_sendsNothingMore_andWaitsForWhatWasSent_soTheAcknowledgedCountIsTheTables() throws Exception {
    try (TradeStreamWriter writer = TradeStreamWriter.open(server.channel(), TradeStreamWriter.Options.DEFAULT.withMaxBatchTrades(1_000))) {
      for (long i = 0; i < 2_500; i++) {
        writer.write(TradeCalls.trade(i)); // two requests sent, 500 trades still in the batch
      }

      assertThat(writer.stop(Duration.ofSeconds(10))).isTrue();
      assertThat(writer.acknowledgedTrades()).isEqualTo(2_000);
    }
    assertThat(countTrades(server.database().jdbc())).isEqualTo(2_000);
  }

  @Test
  void rejections_carryTheIndexOfTheTradeAsWrittenToTheWriter() throws Exception {
    TradeStreamWriter.Options options = TradeStreamWriter.Options.DEFAULT.withMaxBatchTrades(3);
    try (TradeStreamWriter writer = TradeStreamWriter.open(server.channel(), options)) {
      for (long i = 0; i < 10; i++) {
        writer.write(i == 7 ? trade(1, 1, "bad", "1.2.3", "1") : TradeCalls.trade(i));
      }
      TradeStreamWriter.Summary summary = writer.finish();

      assertThat(summary.inserted()).isEqualTo(9);
      assertThat(summary.rejections()).extracting(RejectedRecord::getIndex, RejectedRecord::getField)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(7L, "price"));
    }
  }

  @Test
  void postgresDownMidStream_theWriterReconnectsAndResends_andTheTableHoldsEachTradeOnce() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start()) {
      try (InProcessApp app = InProcessApp.start(postgres.url())) {
        ManagedChannel channel = app.channel();
        new Jdbc(app.app().dataSource()).execute("TRUNCATE trades");
        registerMarket(channel, 1, 1);
        int total = 200_000;
        TradeStreamWriter.Summary summary;
        try (TradeStreamWriter writer = TradeStreamWriter.open(channel, TradeStreamWriter.Options.DEFAULT.withMaxBatchTrades(500))) {
          CompletableFuture<Void> outage = CompletableFuture.runAsync(() -> {
            Eventually.await("10,000 trades acknowledged", Duration.ofSeconds(60), () -> writer.acknowledgedTrades() >= 10_000);
            postgres.stop();
            postgres.restart();
          });
          for (long i = 0; i < total; i++) {
            writer.write(TradeCalls.trade(i));
          }
          summary = writer.finish();
          outage.get(1, TimeUnit.MINUTES);
        }

        assertThat(summary.reconnects()).as("the outage was seen").isPositive();
        assertThat(summary.written()).isEqualTo(total);
        assertThat(summary.inserted() + summary.duplicates()).isEqualTo(total);
        assertThat(summary.rejected()).isZero();
        try (HikariDataSource fresh = Database.openPool(postgres.url(), null, null, 1)) {
          Jdbc check = new Jdbc(fresh);
          assertThat(countTrades(check)).isEqualTo(total);
          assertThat(check.queryOne("SELECT count(DISTINCT trade_id) FROM trades", row -> row.getLong(1))).contains((long) total);
        }
      }
    }
  }
}
