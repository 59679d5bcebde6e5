package io.tickvault.client;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.Feed;
import io.tickvault.api.v1.GapReason;
import io.tickvault.api.v1.GapReport;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.Hole;
import io.tickvault.api.v1.HoleKind;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PriceLevel;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.api.v1.TimeRange;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A worker's coverage through the Java client: claims riding with the writer's batches, gap reports, the reads. */
class CoverageClientIT {
  static final long T = TradeCalls.TIME;
  static final long S = 1_000;

  @RegisterExtension
  static TestServer server = TestServer.netty();

  @BeforeAll
  static void register() {
    registerMarket(server.channel(), 1, 1);
    registerMarket(server.channel(), 2, 1); // order books, so that exchange 1 lists its trades alone
  }

  static Trade trade(long time) {
    return TradeCalls.trade(1, 1, "c" + time, "100.5", "0.5").toBuilder().setTradeTimeMs(time).setReceiveTimeMs(time).build();
  }

  @Test
  void moreClaimsBetweenTwoBatchesThanOneRequestMayCarry_goInRequestsOfTheirOwn() throws Exception {
    // Exchange 3 alone, so that the other tests' feeds are not touched.
    registerMarket(server.channel(), 3, 1);
    int claims = 2_500; // two and a half times what one request may carry
    TradeStreamWriter.Summary summary;
    try (TickvaultClient client = TickvaultClient.builder().target("127.0.0.1:" + server.port()).build();
         TradeStreamWriter writer = client.openTradeWriter()) {
      writer.write(trade(T).toBuilder().setExchangeId(3).build());
      for (int i = 0; i < claims; i++) {
        writer.claimCoverage(3, 1, T + i * S, T + (i + 1) * S);
      }
      summary = writer.finish();

      GetCoverageResponse coverage = client.coverage().getCoverage(3, 1, Channel.CHANNEL_TRADES, T, T + claims * S);
      assertThat(coverage.getComplete()).isTrue();
    }
    assertThat(summary.inserted()).isEqualTo(1);
    assertThat(summary.coverageStored()).isEqualTo(claims);
    assertThat(summary.coverageRejections()).isEmpty();
  }

  @Test
  void aWorkerClaimsAfterEachBatch_reportsItsGap_andReadersSeeTheHoleExplained() throws Exception {
    TradeStreamWriter.Summary summary;
    try (TickvaultClient client = TickvaultClient.builder().target("127.0.0.1:" + server.port()).build();
         TradeStreamWriter writer = client.openTradeWriter(TradeStreamWriter.Options.DEFAULT.withMaxBatchTrades(10))) {
      for (long t = T; t < T + 40 * S; t += S) { // batches of 10 trades, a claim after each
        writer.write(trade(t));
        if ((t - T) % (10 * S) == 9 * S) {
          writer.claimCoverage(1, 1, t - 9 * S, t + S);
        }
      }
      writer.flush();
      // Disconnected for 20 s; then a quiet market: claimed with no trade at all.
      writer.claimCoverage(1, 1, T + 60 * S, T + 90 * S);
      writer.flush();
      summary = writer.finish();
      client.coverage().reportGap(1, 1, Channel.CHANNEL_TRADES, T + 40 * S, T + 60 * S, GapReason.GAP_REASON_DISCONNECTED, "code 1006");

      GetCoverageResponse coverage = client.coverage().getCoverage(1, 1, Channel.CHANNEL_TRADES, T, T + 90 * S);

      assertThat(coverage.getComplete()).isFalse();
      assertThat(coverage.getCoveredList()).containsExactly(
          TimeRange.newBuilder().setFromTimeMs(T).setUntilTimeMs(T + 40 * S).build(),
          TimeRange.newBuilder().setFromTimeMs(T + 60 * S).setUntilTimeMs(T + 90 * S).build());
      assertThat(coverage.getHolesList()).containsExactly(Hole.newBuilder().setKind(HoleKind.HOLE_KIND_NOT_CLAIMED).setFromTimeMs(T + 40 * S).setUntilTimeMs(T + 60 * S)
          .addReports(GapReport.newBuilder().setFromTimeMs(T + 40 * S).setUntilTimeMs(T + 60 * S)
              .setReason(GapReason.GAP_REASON_DISCONNECTED).setDetail("code 1006"))
          .build());
      assertThat(client.coverage().listFeeds(1)).containsExactly(Feed.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
          .setChannel(Channel.CHANNEL_TRADES).setCoveredUntilMs(T + 90 * S).setLastRecordTimeMs(T + 39 * S).build());
    }
    assertThat(summary.inserted()).isEqualTo(40);
    assertThat(summary.coverageStored()).isEqualTo(5);
    assertThat(summary.coverageRejections()).isEmpty();
  }

  @Test
  void theOrderBookWriterClaimsWithItsBatches_andAClaimAloneGoesAtFlush() throws Exception {
    ResendingOrderBookWriter.Summary summary;
    ResendingOrderBookWriter.Options options =
        ResendingOrderBookWriter.Options.DEFAULT.withMaxBatchSnapshots(10).withCallSnapshots(25);
    try (TickvaultClient client = TickvaultClient.builder().target("127.0.0.1:" + server.port()).build();
         ResendingOrderBookWriter writer = client.openOrderBookWriter(options)) {
      for (long t = T; t < T + 40 * S; t += S) { // batches of 10 snapshots, a claim after each, calls of 25
        writer.write(snapshot(t));
        if ((t - T) % (10 * S) == 9 * S) {
          writer.claimCoverage(2, 1, t - 9 * S, t + S);
        }
      }
      writer.flush();
      // Disconnected for 20 s, then a book that did not change: claimed with no snapshot, stored at flush.
      writer.claimCoverage(2, 1, T + 60 * S, T + 90 * S);
      writer.flush();
      Eventually.await("a flushed claim stored while the call goes on", Duration.ofSeconds(10),
          () -> client.coverage().getCoverage(2, 1, Channel.CHANNEL_ORDER_BOOKS, T + 60 * S, T + 90 * S).getComplete());
      writer.claimCoverage(2, 1, T + 90 * S, T - S); // until before from: refused, the rest kept
      summary = writer.finish();

      GetCoverageResponse coverage = client.coverage().getCoverage(2, 1, Channel.CHANNEL_ORDER_BOOKS, T, T + 90 * S);

      assertThat(coverage.getComplete()).isFalse();
      assertThat(coverage.getCoveredList()).containsExactly(
          TimeRange.newBuilder().setFromTimeMs(T).setUntilTimeMs(T + 40 * S).build(),
          TimeRange.newBuilder().setFromTimeMs(T + 60 * S).setUntilTimeMs(T + 90 * S).build());
      assertThat(coverage.getHolesList()).extracting(Hole::getFromTimeMs, Hole::getUntilTimeMs)
          .containsExactly(tuple(T + 40 * S, T + 60 * S));
      assertThat(client.coverage().listFeeds(2)).containsExactly(Feed.newBuilder().setExchangeId(2).setCurrencyPairNo(1)
          .setChannel(Channel.CHANNEL_ORDER_BOOKS).setCoveredUntilMs(T + 90 * S).setLastRecordTimeMs(T + 39 * S).build());
    }
    assertThat(summary.inserted()).isEqualTo(40);
    assertThat(summary.coverageStored()).isEqualTo(5);
    assertThat(summary.coverageRejections()).extracting(RejectedRecord::getIndex, RejectedRecord::getCode)
        .as("counted from the writer's first claim")
        .containsExactly(tuple(5L, RejectionReason.REJECTION_REASON_INVALID_CLAIM));
  }

  static OrderBookSnapshot snapshot(long time) {
    return OrderBookSnapshot.newBuilder().setExchangeId(2).setCurrencyPairNo(1).setServerTimeMs(time).setSequenceId(time)
        .addBids(PriceLevel.newBuilder().setPrice("64000.5").setQuantity("0.5"))
        .addAsks(PriceLevel.newBuilder().setPrice("64001.5").setQuantity("1.5"))
        .build();
  }
}
