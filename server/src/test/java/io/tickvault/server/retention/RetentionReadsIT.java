package io.tickvault.server.retention;

import static io.tickvault.server.retention.RetentionCalls.DAY;
import static io.tickvault.server.retention.RetentionCalls.candles;
import static io.tickvault.server.retention.RetentionCalls.minute;
import static io.tickvault.server.retention.RetentionCalls.trades;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.GapReason;
import io.tickvault.api.v1.GetCoverageRequest;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.Hole;
import io.tickvault.api.v1.HoleKind;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadOrderBooksResponse;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.ReportGapRequest;
import io.tickvault.api.v1.TimeRange;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.GrpcAssertions;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the reads say of a range whose raw data retention removed: ReadTrades and ReadOrderBooks
 * return what is left and the horizon, GetCoverage a hole of its own kind where claims were, and
 * GetCandles answers from the rollup (whole minutes) or refuses (any other interval).
 */
class RetentionReadsIT {
  @RegisterExtension
  static TestServer server = TestServer.inProcess().configure(b -> b.retention(RetentionCalls.oneDay(1_000)));

  static long now;
  static long oldStart;
  static long horizon;
  static List<Trade> recent;
  static List<Candle> minutesBefore;

  @BeforeAll
  static void storeTwoDaysAndRemoveTheOlder() throws Exception {
    Channel channel = server.channel();
    TradeCalls.registerMarket(channel, 1, 1);
    now = System.currentTimeMillis();
    oldStart = minute(now - 3 * DAY);
    List<Trade> old = trades(1, 1, "old-", oldStart, 10_000, 2_000);
    recent = trades(1, 1, "recent-", minute(now - 3_600_000), 1_000, 500);
    CoverageClaim claim = CoverageClaim.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
        .setFromTimeMs(oldStart).setUntilTimeMs(now).build();
    TradeCalls.ingestWithClaims(channel, old, List.of());
    TradeCalls.ingestWithClaims(channel, recent, List.of(claim));
    IngestServiceGrpc.newBlockingStub(channel).reportGap(ReportGapRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
        .setChannel(io.tickvault.api.v1.Channel.CHANNEL_TRADES).setFromTimeMs(oldStart + 1_000).setUntilTimeMs(oldStart + 2_000)
        .setReason(GapReason.GAP_REASON_DISCONNECTED).setDetail("before the horizon").build());
    List<OrderBookSnapshot> books = new ArrayList<>();
    books.add(QueryCalls.snapshot(1, 1, oldStart, 1, 2));
    books.add(QueryCalls.snapshot(1, 1, now - 1_000, 2, 2));
    QueryCalls.ingestOrderBooks(channel, books);
    minutesBefore = candles(channel, 1, 1, oldStart, oldStart + DAY, 60_000);
    server.app().retention().runOnce();
    horizon = new RetentionRepository(server.database().jdbc()).status().get(0).horizonMs();
    assertThat(horizon).isBetween(now - DAY, now);
  }

  @Test
  void readTrades_returnsWhatIsLeft_andSaysFromWhenOnEveryPage() {
    List<ReadTradesResponse> pages = QueryCalls.readTradePages(server.channel(), ReadTradesRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setStartTimeMs(oldStart).setPageSize(200).build());

    assertThat(QueryCalls.tradesOf(pages)).isEqualTo(recent);
    assertThat(pages).hasSize(3).allSatisfy(page -> assertThat(page.getRetainedFromMs()).isEqualTo(horizon));
    List<ReadTradesResponse> after = QueryCalls.readTradePages(server.channel(), ReadTradesRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setStartTimeMs(horizon).build());
    assertThat(after).singleElement().satisfies(page -> assertThat(page.getRetainedFromMs()).isZero());
    // A range all before the horizon: nothing, and why.
    assertThat(QueryCalls.readTradePages(server.channel(), ReadTradesRequest.newBuilder().setExchangeId(1)
        .setCurrencyPairNo(1).setStartTimeMs(oldStart).setEndTimeMs(oldStart + DAY).build()))
        .singleElement().satisfies(page -> {
          assertThat(page.getTradesList()).isEmpty();
          assertThat(page.getRetainedFromMs()).isEqualTo(horizon);
        });
  }

  @Test
  void readOrderBooks_saysFromWhenToo() {
    List<ReadOrderBooksResponse> pages = QueryCalls.readOrderBookPages(server.channel(), ReadOrderBooksRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setStartTimeMs(0).build());
    assertThat(pages).singleElement().satisfies(page -> {
      assertThat(page.getSnapshotsList()).extracting(OrderBookSnapshot::getSequenceId).containsExactly(2L);
      assertThat(page.getRetainedFromMs()).isGreaterThan(oldStart);
    });
  }

  @Test
  void coverage_showsTheRemovedRangeAsAHoleOfItsOwnKind_withoutTheGapReportsOfTheFeed() {
    GetCoverageResponse coverage = QueryServiceGrpc.newBlockingStub(server.channel()).getCoverage(GetCoverageRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setChannel(io.tickvault.api.v1.Channel.CHANNEL_TRADES)
        .setStartTimeMs(oldStart).setEndTimeMs(now).build());

    assertThat(coverage.getComplete()).isFalse();
    assertThat(coverage.getHolesList()).containsExactly(Hole.newBuilder().setFromTimeMs(oldStart).setUntilTimeMs(horizon)
        .setKind(HoleKind.HOLE_KIND_REMOVED_BY_RETENTION).build());
    assertThat(coverage.getCoveredList()).containsExactly(TimeRange.newBuilder().setFromTimeMs(horizon).setUntilTimeMs(now).build());
    GetCoverageResponse kept = QueryServiceGrpc.newBlockingStub(server.channel()).getCoverage(GetCoverageRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setChannel(io.tickvault.api.v1.Channel.CHANNEL_TRADES)
        .setStartTimeMs(horizon).setEndTimeMs(now).build());
    assertThat(kept.getComplete()).isTrue();
  }

  @Test
  void candles_wholeMinutesComeFromTheRollup_otherIntervalsBeforeTheHorizonAreRefused() {
    assertThat(candles(server.channel(), 1, 1, oldStart, oldStart + DAY, 60_000)).isEqualTo(minutesBefore).isNotEmpty();

    StatusRuntimeException refused = GrpcAssertions.rpcError(() -> candles(server.channel(), 1, 1, oldStart, oldStart + DAY, 90_000));
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refused.getStatus().getDescription()).contains("(" + horizon + " ms) were removed by retention")
        .contains("or start at or after " + horizon);
    StatusRuntimeException unaligned = GrpcAssertions.rpcError(() -> candles(server.channel(), 1, 1, oldStart + 1, oldStart + DAY, 60_000));
    assertThat(unaligned.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    // After the horizon, any interval is computed from the trades left.
    long from = minute(now - 3_600_000);
    assertThat(candles(server.channel(), 1, 1, from + 1, from + 1_800_001, 90_000)).isNotEmpty();
  }
}
