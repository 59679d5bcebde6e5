package io.tickvault.server.coverage;

import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgument;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static io.tickvault.server.trade.TradeCalls.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.Feed;
import io.tickvault.api.v1.GetCoverageRequest;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.IngestOrderBooksRequest;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.IngestTradesRequest;
import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.ListFeedsRequest;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.TimeRange;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.Responses;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Coverage claims riding on ingestion streams, against the real PostgreSQL: stored once the records
 * before them are committed and counted in the answers, never stored when the stream fails first,
 * not voided by rejected records, idempotent on replay, united across workers. Each test uses a
 * pair of its own.
 */
class CoverageClaimsIT {
  static final long T = TradeCalls.TIME;
  static final long S = 1_000;

  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  @BeforeAll
  static void register() {
    TradeCalls.registerMarket(server.channel(), 1, 1, 2, 3, 4, 5, 6, 7);
    // A trade that makes its batch fail on the server, after its earlier batches committed.
    server.database().jdbc().execute("""
        CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'poisoned trade'; END $$""");
    server.database().jdbc().execute("""
        CREATE TRIGGER poison BEFORE INSERT ON trades FOR EACH ROW WHEN (NEW.trade_id = 'poison')
        EXECUTE FUNCTION poison()""");
  }

  static Trade trade(int pair, String id, long time) {
    return TradeCalls.trade(1, pair, id, "100.5", "0.25").toBuilder().setTradeTimeMs(time).setReceiveTimeMs(time).build();
  }

  /** Trades of one pair, one a second over [from, until). */
  static List<Trade> trades(int pair, long from, long until) {
    List<Trade> trades = new ArrayList<>();
    for (long t = from; t < until; t += S) {
      trades.add(trade(pair, "t" + t, t));
    }
    return trades;
  }

  static CoverageClaim claim(int pair, long from, long until) {
    return CoverageClaim.newBuilder().setExchangeId(1).setCurrencyPairNo(pair).setFromTimeMs(from).setUntilTimeMs(until)
        .build();
  }

  static GetCoverageResponse coverage(int pair, Channel channel, long start, long end) {
    return QueryServiceGrpc.newBlockingStub(server.channel()).getCoverage(GetCoverageRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(pair).setChannel(channel).setStartTimeMs(start).setEndTimeMs(end).build());
  }

  static List<TimeRange> covered(int pair) {
    return coverage(pair, Channel.CHANNEL_TRADES, T - 100 * S, T + 1_000 * S).getCoveredList();
  }

  static TimeRange range(long from, long until) {
    return TimeRange.newBuilder().setFromTimeMs(from).setUntilTimeMs(until).build();
  }

  static List<IngestTradesAck> stream(List<StreamTradesRequest> requests) {
    Responses<IngestTradesAck> acks = new Responses<>();
    StreamObserver<StreamTradesRequest> requestStream = IngestServiceGrpc.newStub(server.channel()).streamTrades(acks);
    requests.forEach(requestStream::onNext);
    requestStream.onCompleted();
    return await(acks.all());
  }

  static StreamTradesRequest batch(int pair, long from, long until) {
    return StreamTradesRequest.newBuilder().addAllTrades(trades(pair, from, until)).addCoverage(claim(pair, from, until)).build();
  }

  static IngestTradesResponse ingest(List<IngestTradesRequest> requests) {
    Responses<IngestTradesResponse> summary = new Responses<>();
    StreamObserver<IngestTradesRequest> requestStream = IngestServiceGrpc.newStub(server.channel()).ingestTrades(summary);
    requests.forEach(requestStream::onNext);
    requestStream.onCompleted();
    return await(summary.first());
  }

  @Test
  void aClaimPerRequestIsStoredWithItsTrades_countedInItsAck_andTheRangeIsComplete() {
    List<IngestTradesAck> acks = stream(List.of(batch(1, T, T + 10 * S), batch(1, T + 10 * S, T + 20 * S),
        StreamTradesRequest.newBuilder().addCoverage(claim(1, T + 20 * S, T + 30 * S)).build())); // quiet: no trade

    assertThat(acks).extracting(IngestTradesAck::getInserted).containsExactly(10L, 10L, 0L);
    assertThat(acks).extracting(IngestTradesAck::getCoverageStored).containsExactly(1L, 1L, 1L);
    GetCoverageResponse response = coverage(1, Channel.CHANNEL_TRADES, T, T + 30 * S);
    assertThat(response.getComplete()).isTrue();
    assertThat(response.getCoveredList()).containsExactly(range(T, T + 30 * S));
  }

  @Test
  void rejectedRecordsDoNotVoidAClaim_aBadClaimIsRejectedOnItsOwn_andWhatIsBesideItIsStored() {
    List<Trade> withBadTrade = new ArrayList<>(trades(2, T, T + 5 * S));
    withBadTrade.add(trade(2, "bad", T + 6 * S).toBuilder().setPrice("-1").build());
    IngestTradesResponse summary = ingest(List.of(
        IngestTradesRequest.newBuilder().addAllTrades(withBadTrade).addCoverage(claim(2, T, T + 10 * S)).build(),
        IngestTradesRequest.newBuilder()
            .addCoverage(claim(2, T + 20 * S, T + 10 * S)) // until before from
            .addCoverage(claim(9, T, T + 10 * S)) // not registered
            .addCoverage(claim(2, T, T + 10 * S).toBuilder().setChannel(Channel.CHANNEL_ORDER_BOOKS))
            .addCoverage(claim(2, 1_000, T)) // seconds, not milliseconds
            .addCoverage(claim(2, T + 10 * S, T + 15 * S))
            .build()));

    assertThat(summary.getInserted()).isEqualTo(5);
    assertThat(summary.getRejected()).isEqualTo(1);
    assertThat(summary.getCoverageStored()).isEqualTo(2);
    assertThat(summary.getCoverageRejectionsList()).extracting(RejectedRecord::getCode).containsOnly(
        RejectionReason.REJECTION_REASON_INVALID_CLAIM);
    assertThat(summary.getCoverageRejectionsList()).extracting(r -> r.getIndex() + " " + r.getRecordKey() + " " + r.getField() + ": " + r.getReason())
        .containsExactly(
            "1 1/2/CHANNEL_TRADES/" + (T + 20 * S) + "/" + (T + 10 * S) + " until_time_ms: must be greater than from_time_ms ("
                + (T + 20 * S) + "), got " + (T + 10 * S),
            "2 1/9/CHANNEL_TRADES/" + T + "/" + (T + 10 * S) + " currency_pair_no: market 1/9 is not registered: PutCurrencyPair first",
            "3 1/2/CHANNEL_TRADES/" + T + "/" + (T + 10 * S) + " channel: is CHANNEL_ORDER_BOOKS on a stream of CHANNEL_TRADES: "
                + "a stream claims only its own channel (or leave it unspecified)",
            "4 1/2/CHANNEL_TRADES/1000/" + T + " from_time_ms: must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got 1000");
    assertThat(covered(2)).containsExactly(range(T, T + 15 * S));
  }

  @Test
  void aStreamThatFailsBeforeItsBatchCommits_storesNoClaimOfThatBatch_butKeepsTheClaimsAcknowledgedBeforeIt() {
    List<Trade> poisoned = new ArrayList<>(trades(3, T + 10 * S, T + 20 * S));
    poisoned.add(trade(3, "poison", T + 15 * S));
    Responses<IngestTradesAck> acks = new Responses<>();
    StreamObserver<StreamTradesRequest> requestStream = IngestServiceGrpc.newStub(server.channel()).streamTrades(acks);
    requestStream.onNext(batch(3, T, T + 10 * S));
    await(acks.first()); // committed, with its claim, before the poisoned batch is sent
    requestStream.onNext(StreamTradesRequest.newBuilder().addAllTrades(poisoned).addCoverage(claim(3, T + 10 * S, T + 20 * S))
        .build());
    requestStream.onCompleted();

    Status end = await(acks.end());

    assertThat(end.isOk()).as("the stream failed at the poisoned batch").isFalse();
    assertThat(acks.values()).extracting(IngestTradesAck::getCoverageStored).containsExactly(1L);
    assertThat(covered(3)).containsExactly(range(T, T + 10 * S));
    assertThat(server.database().jdbc().queryOne("SELECT count(*) FROM trades WHERE currency_pair_no = 3",
        row -> row.getLong(1)).orElseThrow()).isEqualTo(10);
  }

  @Test
  void aReplayWithItsClaimsChangesNothing() {
    List<StreamTradesRequest> requests = List.of(batch(4, T, T + 10 * S), batch(4, T + 30 * S, T + 40 * S));
    stream(requests);
    Jdbc jdbc = server.database().jdbc();
    String before = jdbc.queryOne("SELECT covered::text FROM feed_coverage WHERE currency_pair_no = 4",
        row -> row.getString(1)).orElseThrow();

    List<IngestTradesAck> replay = stream(requests);

    assertThat(replay).extracting(IngestTradesAck::getDuplicates).containsExactly(10L, 10L);
    assertThat(replay).extracting(IngestTradesAck::getCoverageStored).containsExactly(1L, 1L);
    assertThat(jdbc.queryOne("SELECT covered::text FROM feed_coverage WHERE currency_pair_no = 4",
        row -> row.getString(1)).orElseThrow()).isEqualTo(before);
    assertThat(covered(4)).containsExactly(range(T, T + 10 * S), range(T + 30 * S, T + 40 * S));
  }

  @Test
  void twoWorkersStreamingAtOnce_coverTheUnionOfTheirClaims() {
    List<StreamTradesRequest> a = new ArrayList<>();
    List<StreamTradesRequest> b = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long from = T + i * 10 * S;
      (i % 4 == 3 ? b : a).add(batch(5, from, from + 10 * S)); // B fills every fourth range
      if (i % 4 == 0) {
        b.add(batch(5, from, from + 10 * S)); // and overlaps A on others
      }
    }
    CompletableFuture<List<IngestTradesAck>> workerA = CompletableFuture.supplyAsync(() -> stream(a));
    CompletableFuture<List<IngestTradesAck>> workerB = CompletableFuture.supplyAsync(() -> stream(b));

    assertThat(await(workerA)).extracting(IngestTradesAck::getCoverageStored).containsOnly(1L);
    assertThat(await(workerB)).extracting(IngestTradesAck::getCoverageStored).containsOnly(1L);
    assertThat(coverage(5, Channel.CHANNEL_TRADES, T, T + 200 * S).getComplete()).isTrue();
  }

  @Test
  void orderBookStreamsClaimTheOrderBookChannel() {
    OrderBookSnapshot snapshot = OrderBookSnapshot.newBuilder().setExchangeId(1).setCurrencyPairNo(6)
        .setServerTimeMs(T + S).setSequenceId(1).build();
    Responses<IngestOrderBooksResponse> result = new Responses<>();
    StreamObserver<IngestOrderBooksRequest> requestStream = IngestServiceGrpc.newStub(server.channel()).ingestOrderBooks(result);
    requestStream.onNext(IngestOrderBooksRequest.newBuilder().addSnapshots(snapshot).addCoverage(claim(6, T, T + 10 * S))
        .addCoverage(claim(6, T, T + 10 * S).toBuilder().setChannel(Channel.CHANNEL_TRADES)).build());
    requestStream.onCompleted();

    IngestOrderBooksResponse summary = await(result.first());

    assertThat(summary.getInserted()).isEqualTo(1);
    assertThat(summary.getCoverageStored()).isEqualTo(1);
    assertThat(summary.getCoverageRejectionsList()).extracting(RejectedRecord::getField).containsExactly("channel");
    assertThat(coverage(6, Channel.CHANNEL_ORDER_BOOKS, T, T + 10 * S).getComplete()).isTrue();
    assertThat(coverage(6, Channel.CHANNEL_TRADES, T, T + 10 * S).getComplete()).isFalse();
  }

  @Test
  void listFeedsAndTheGauges_sayWhereCoverageEndsAndTheNewestRecord() {
    stream(List.of(batch(7, T, T + 10 * S), StreamTradesRequest.newBuilder().addCoverage(claim(7, T + 10 * S, T + 60 * S)).build()));
    QueryServiceGrpc.QueryServiceBlockingStub query = QueryServiceGrpc.newBlockingStub(server.channel());

    List<Feed> feeds = query.listFeeds(ListFeedsRequest.newBuilder().setExchangeId(1).build()).getFeedsList();

    assertThat(feeds).contains(Feed.newBuilder().setExchangeId(1).setCurrencyPairNo(7).setChannel(Channel.CHANNEL_TRADES)
        .setCoveredUntilMs(T + 60 * S).setLastRecordTimeMs(T + 9 * S).build());
    assertThat(feeds).noneMatch(f -> f.getCurrencyPairNo() == 7 && f.getChannel() == Channel.CHANNEL_ORDER_BOOKS);
    assertThat(query.listFeeds(ListFeedsRequest.newBuilder().setExchangeId(2).build()).getFeedsList()).isEmpty();
    assertInvalidArgument(rpcError(() -> query.listFeeds(ListFeedsRequest.newBuilder().setExchangeId(-1).build())),
        "exchange_id", "must be positive, or 0 for every exchange, got -1");
    String[] labels = {"exchange_id", "1", "currency_pair_no", "7", "channel", "trades"};
    Eventually.await("the gauges read the feed again", Duration.ofSeconds(30),
        () -> gaugeOrZero("tickvault_feed_covered_until_timestamp_seconds", labels) == (T + 60 * S) / 1000.0);
    assertThat(MetricValues.gauge(server.app().metrics().registry(), "tickvault_feed_last_record_timestamp_seconds", labels))
        .isEqualTo((T + 9 * S) / 1000.0);
  }

  /** The gauge, or 0 while the server has not listed the feed yet. */
  static double gaugeOrZero(String name, String... labels) {
    try {
      return MetricValues.gauge(server.app().metrics().registry(), name, labels);
    } catch (AssertionError notYet) {
      return 0;
    }
  }
}
