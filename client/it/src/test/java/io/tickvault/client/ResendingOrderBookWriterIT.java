package io.tickvault.client;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.grpc.ManagedChannel;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.TestServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client's ResendingOrderBookWriter ({@code client.openOrderBookWriter()}) against the real server. */
class ResendingOrderBookWriterIT {
  private static final long TIME = 1_764_000_000_000L;

  @RegisterExtension
  static TestServer server = TestServer.netty();

  @BeforeEach
  void setUp() {
    server.database().truncate("orderbook_snapshots", "orderbook_levels", "currency_pairs", "exchanges CASCADE");
    registerMarket(server.channel(), 1, 1);
  }

  @Test
  void writesEverySnapshotOverSeveralCalls_andTheSummaryCountsThem() throws Exception {
    ResendingOrderBookWriter.Options options = ResendingOrderBookWriter.Options.DEFAULT.withCallSnapshots(1_000);
    ResendingOrderBookWriter.Summary summary;
    try (ResendingOrderBookWriter writer = ResendingOrderBookWriter.open(server.channel(), options)) {
      for (long i = 0; i < 3_500; i++) {
        writer.write(i == 2_222 ? snapshot(i, 2).toBuilder().setBids(0, level("abc", "1")).build() : snapshot(i, 2));
      }
      summary = writer.finish();
      assertThat(writer.acknowledgedSnapshots()).isEqualTo(3_500);
    }

    assertThat(summary.received()).isEqualTo(3_500);
    assertThat(summary.inserted()).isEqualTo(3_499);
    assertThat(summary.duplicates()).isZero();
    assertThat(summary.reconnects()).isZero();
    assertThat(summary.rejections()).extracting(RejectedRecord::getIndex).as("counted from the writer's first snapshot")
        .containsExactly(2_222L);
    assertThat(countSnapshots(server.database().jdbc())).isEqualTo(3_499);
  }

  @Test
  void postgresDownMidStream_theWriterSendsTheCallAgain_andTheTableHoldsEachSnapshotOnce() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start()) {
      try (InProcessApp app = InProcessApp.start(postgres.url())) {
        ManagedChannel channel = app.channel();
        registerMarket(channel, 1, 1);
        int total = 60_000;
        ResendingOrderBookWriter.Summary summary;
        try (ResendingOrderBookWriter writer = ResendingOrderBookWriter.open(channel)) {
          CompletableFuture<Void> outage = CompletableFuture.runAsync(() -> {
            Eventually.await("10,000 snapshots acknowledged", Duration.ofSeconds(60), () -> writer.acknowledgedSnapshots() >= 10_000);
            postgres.stop();
            postgres.restart();
          });
          for (long i = 0; i < total; i++) {
            writer.write(snapshot(i, 2));
          }
          summary = writer.finish();
          outage.get(1, TimeUnit.MINUTES);
        }

        assertThat(summary.reconnects()).as("the outage was seen").isPositive();
        assertThat(summary.received()).isEqualTo(total);
        assertThat(summary.inserted() + summary.duplicates()).isEqualTo(total);
        assertThat(summary.rejected()).isZero();
        try (HikariDataSource fresh = Database.openPool(postgres.url(), null, null, 1)) {
          Jdbc check = new Jdbc(fresh);
          assertThat(countSnapshots(check)).isEqualTo(total);
          assertThat(check.queryOne("SELECT count(*) FROM orderbook_levels", row -> row.getLong(1))).contains(4L * total);
        }
      }
    }
  }

  /** Snapshot n of market 1/1, {@code depth} levels a side. */
  private static OrderBookSnapshot snapshot(long n, int depth) {
    OrderBookSnapshot.Builder s = OrderBookSnapshot.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setServerTimeMs(TIME + n).setSequenceId(n);
    for (int i = 0; i < depth; i++) {
      s.addBids(level((64_000 - i) + ".5", "0." + (n % 90 + 10)));
      s.addAsks(level((64_001 + i) + ".5", "1." + (n % 90 + 10)));
    }
    return s.build();
  }

  private static PriceLevel level(String price, String quantity) {
    return PriceLevel.newBuilder().setPrice(price).setQuantity(quantity).build();
  }

  private static long countSnapshots(Jdbc jdbc) {
    return jdbc.queryOne("SELECT count(*) FROM orderbook_snapshots", row -> row.getLong(1)).orElseThrow();
  }
}
