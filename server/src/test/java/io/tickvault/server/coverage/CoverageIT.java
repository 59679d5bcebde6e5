package io.tickvault.server.coverage;

import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgumentFields;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.GapReason;
import io.tickvault.api.v1.GapReport;
import io.tickvault.api.v1.GetCoverageRequest;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.Hole;
import io.tickvault.api.v1.HoleKind;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReportGapRequest;
import io.tickvault.api.v1.TimeRange;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ReportGap and GetCoverage against the real PostgreSQL: coverage is the union of every worker's
 * claims (made here through the repository, as ingestion makes them), holes carry the reports that
 * overlap them. Each test uses a pair of its own.
 */
class CoverageIT {
  static final long T = TradeCalls.TIME;
  static final long S = 1_000;

  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  static CoverageRepository claims;

  @BeforeAll
  static void register() {
    TradeCalls.registerMarket(server.channel(), 1, 1, 2, 3, 4, 5, 6, 7);
    claims = new CoverageRepository(new Jdbc(server.app().dataSource()));
  }

  static FeedKey trades(int pair) {
    return new FeedKey(1, pair, Channel.CHANNEL_TRADES);
  }

  static GetCoverageResponse coverage(int pair, Channel channel, long start, long end) {
    return QueryServiceGrpc.newBlockingStub(server.channel()).getCoverage(GetCoverageRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(pair).setChannel(channel).setStartTimeMs(start).setEndTimeMs(end).build());
  }

  static ReportGapRequest gap(int pair, long from, long until, GapReason reason, String detail) {
    return ReportGapRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(pair).setChannel(Channel.CHANNEL_TRADES)
        .setFromTimeMs(from).setUntilTimeMs(until).setReason(reason).setDetail(detail).build();
  }

  static void report(ReportGapRequest request) {
    IngestServiceGrpc.newBlockingStub(server.channel()).reportGap(request);
  }

  static TimeRange range(long from, long until) {
    return TimeRange.newBuilder().setFromTimeMs(from).setUntilTimeMs(until).build();
  }

  static GapReport asReport(ReportGapRequest r) {
    return GapReport.newBuilder().setFromTimeMs(r.getFromTimeMs()).setUntilTimeMs(r.getUntilTimeMs())
        .setReason(r.getReason()).setDetail(r.getDetail()).build();
  }

  @Test
  void twoWorkers_fillEachOthersHoles_andTheHoleLeftCarriesItsReport() {
    claims.claim(trades(1), T, T + 40 * S); // worker A
    claims.claim(trades(1), T + 60 * S, T + 100 * S);
    ReportGapRequest disconnect = gap(1, T + 40 * S, T + 60 * S, GapReason.GAP_REASON_DISCONNECTED, "websocket closed 1006");
    report(disconnect);
    claims.claim(trades(1), T + 50 * S, T + 100 * S); // worker B

    GetCoverageResponse response = coverage(1, Channel.CHANNEL_TRADES, T, T + 100 * S);

    assertThat(response.getComplete()).isFalse();
    assertThat(response.getCoveredList()).containsExactly(range(T, T + 40 * S), range(T + 50 * S, T + 100 * S));
    assertThat(response.getHolesList()).containsExactly(Hole.newBuilder().setKind(HoleKind.HOLE_KIND_NOT_CLAIMED)
        .setFromTimeMs(T + 40 * S).setUntilTimeMs(T + 50 * S).addReports(asReport(disconnect)).build());
  }

  @Test
  void aClaimedRangeWithoutRecordsIsComplete_adjacentClaimsMerge_andTheAnswerIsCutToTheRange() {
    claims.claim(trades(2), T, T + 10 * S);
    claims.claim(trades(2), T + 10 * S, T + 20 * S);
    claims.claim(trades(2), T + 5 * S, T + 15 * S);

    GetCoverageResponse response = coverage(2, Channel.CHANNEL_TRADES, T + S, T + 19 * S);

    assertThat(response.getComplete()).isTrue();
    assertThat(response.getCoveredList()).containsExactly(range(T + S, T + 19 * S));
    assertThat(response.getHolesList()).isEmpty();
  }

  @Test
  void aRangeNeverClaimedIsOneUnexplainedHole_andChannelsAreApart() {
    claims.claim(trades(3), T, T + 10 * S);

    GetCoverageResponse books = coverage(3, Channel.CHANNEL_ORDER_BOOKS, T, T + 10 * S);

    assertThat(books.getComplete()).isFalse();
    assertThat(books.getCoveredList()).isEmpty();
    assertThat(books.getHolesList()).containsExactly(Hole.newBuilder().setKind(HoleKind.HOLE_KIND_NOT_CLAIMED).setFromTimeMs(T).setUntilTimeMs(T + 10 * S).build());
    GetCoverageResponse tail = coverage(3, Channel.CHANNEL_TRADES, T + 5 * S, T + 12 * S);
    assertThat(tail.getCoveredList()).containsExactly(range(T + 5 * S, T + 10 * S));
    assertThat(tail.getHolesList()).containsExactly(Hole.newBuilder().setKind(HoleKind.HOLE_KIND_NOT_CLAIMED).setFromTimeMs(T + 10 * S).setUntilTimeMs(T + 12 * S).build());
  }

  @Test
  void aHoleCarriesEveryReportThatOverlapsIt_andOnlyThose() {
    claims.claim(trades(4), T, T + 10 * S);
    claims.claim(trades(4), T + 30 * S, T + 40 * S);
    ReportGapRequest restart = gap(4, T + 8 * S, T + 12 * S, GapReason.GAP_REASON_WORKER_RESTART, "");
    ReportGapRequest jump = gap(4, T + 11 * S, T + 31 * S, GapReason.GAP_REASON_SEQUENCE_JUMP, "seq 100 then 180");
    ReportGapRequest covered = gap(4, T + 2 * S, T + 3 * S, GapReason.GAP_REASON_RATE_LIMITED, "");
    ReportGapRequest after = gap(4, T + 40 * S, T + 50 * S, GapReason.GAP_REASON_EXCHANGE_OUTAGE, "");
    report(after);
    report(jump);
    report(covered);
    report(restart);

    GetCoverageResponse response = coverage(4, Channel.CHANNEL_TRADES, T, T + 40 * S);

    assertThat(response.getHolesList()).containsExactly(Hole.newBuilder().setKind(HoleKind.HOLE_KIND_NOT_CLAIMED).setFromTimeMs(T + 10 * S).setUntilTimeMs(T + 30 * S)
        .addReports(asReport(restart)).addReports(asReport(jump)).build());
  }

  @Test
  void theSameClaimsAndReportsSentAgainChangeNothing() {
    ReportGapRequest outage = gap(5, T + 10 * S, T + 20 * S, GapReason.GAP_REASON_EXCHANGE_OUTAGE, "maintenance");
    for (int i = 0; i < 2; i++) {
      claims.claim(trades(5), T, T + 10 * S);
      claims.claim(trades(5), T + 20 * S, T + 30 * S);
      report(outage);
    }
    report(gap(5, T + 10 * S, T + 20 * S, GapReason.GAP_REASON_OTHER, "maintenance")); // another reason: another report

    GetCoverageResponse response = coverage(5, Channel.CHANNEL_TRADES, T, T + 30 * S);

    assertThat(response.getCoveredList()).containsExactly(range(T, T + 10 * S), range(T + 20 * S, T + 30 * S));
    assertThat(response.getHolesList()).singleElement().satisfies(hole -> assertThat(hole.getReportsList())
        .containsExactly(asReport(outage), asReport(gap(5, T + 10 * S, T + 20 * S, GapReason.GAP_REASON_OTHER, "maintenance"))));
    assertThat(server.database().jdbc().queryOne("SELECT count(*) FROM feed_gaps WHERE currency_pair_no = 5",
        row -> row.getLong(1)).orElseThrow()).isEqualTo(2);
  }

  @Test
  void endZeroIsNow() {
    long now = System.currentTimeMillis();
    claims.claim(trades(6), T, now + 60 * S);

    GetCoverageResponse response = coverage(6, Channel.CHANNEL_TRADES, T, 0);

    assertThat(response.getComplete()).isTrue();
    assertThat(response.getCovered(0).getFromTimeMs()).isEqualTo(T);
    assertThat(response.getCovered(0).getUntilTimeMs()).isBetween(now, now + 60 * S);
  }

  @Test
  void reportGap_namesEveryBadField() {
    long farAhead = System.currentTimeMillis() + 2 * 86_400_000L;
    assertInvalidArgumentFields(rpcError(() -> report(ReportGapRequest.newBuilder()
            .setExchangeId(0).setCurrencyPairNo(-1).setFromTimeMs(1_000).setUntilTimeMs(farAhead)
            .setDetail("x".repeat(1_025)).build())),
        "exchange_id", "is required",
        "currency_pair_no", "must be positive, got -1",
        "channel", "is required (CHANNEL_TRADES or CHANNEL_ORDER_BOOKS)",
        "from_time_ms", "must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got 1000",
        "until_time_ms", "is more than a day ahead of the server's clock: " + farAhead,
        "reason", "is required (GAP_REASON_OTHER when none fits, with a detail)",
        "detail", "is 1025 characters, at most 1024 are allowed");
    assertInvalidArgumentFields(rpcError(() -> report(gap(9, T, T, GapReason.GAP_REASON_OTHER, "a\0b").toBuilder()
            .setChannelValue(7).build())),
        "channel", "is not a channel this server knows",
        "until_time_ms", "must be greater than from_time_ms (" + T + "), got " + T,
        "detail", "must not contain the NUL character",
        "currency_pair_no", "market 1/9 is not registered: PutCurrencyPair first");
    assertThat(server.database().jdbc().queryOne("SELECT count(*) FROM feed_gaps WHERE currency_pair_no = 9",
        row -> row.getLong(1)).orElseThrow()).isZero();
  }

  @Test
  void getCoverage_namesEveryBadField() {
    assertInvalidArgumentFields(rpcError(() -> QueryServiceGrpc.newBlockingStub(server.channel())
            .getCoverage(GetCoverageRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(0)
                .setStartTimeMs(-5).setEndTimeMs(-1).build())),
        "currency_pair_no", "is required",
        "channel", "is required (CHANNEL_TRADES or CHANNEL_ORDER_BOOKS)",
        "start_time_ms", "must not be negative (epoch milliseconds), got -5",
        "end_time_ms", "must be positive, or 0 for now, got -1");
    assertInvalidArgumentFields(rpcError(() -> coverage(9, Channel.CHANNEL_TRADES, T, T)),
        "end_time_ms", "must be greater than start_time_ms (" + T + "), got " + T,
        "currency_pair_no", "market 1/9 is not registered: PutCurrencyPair first");
  }
}
