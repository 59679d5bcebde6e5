package io.tickvault.server.retention;

import static io.tickvault.server.retention.RetentionCalls.DAY;
import static io.tickvault.server.retention.RetentionCalls.candles;
import static io.tickvault.server.retention.RetentionCalls.count;
import static io.tickvault.server.retention.RetentionCalls.minute;
import static io.tickvault.server.retention.RetentionCalls.trades;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.IngestOrderBooksRequest;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.Responses;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Once old records are removed, ingestion refuses records before the horizon one by one
 * ({@code REJECTION_REASON_PAST_RETENTION}) and stores their neighbours: a replay of removed trades
 * is not stored, so not rolled up, a second time.
 */
class RetentionRefusalIT {
  @RegisterExtension
  static TestServer server = TestServer.inProcess().configure(b -> b.retention(RetentionCalls.oneDay(1_000)));

  @Test
  void aReplayOfRemovedTrades_isRefusedOneByOne_besideFreshOnes_andNoCandleChanges() throws Exception {
    Channel channel = server.channel();
    Jdbc jdbc = server.database().jdbc();
    TradeCalls.registerMarket(channel, 1, 1);
    long now = System.currentTimeMillis();
    long oldStart = minute(now - 3 * DAY);
    List<Trade> old = trades(1, 1, "old-", oldStart, 5_000, 3_000);
    QueryCalls.ingestTrades(channel, old);
    List<OrderBookSnapshot> oldBooks = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      oldBooks.add(QueryCalls.snapshot(1, 1, oldStart + i * 1_000L, i, 3));
    }
    QueryCalls.ingestOrderBooks(channel, oldBooks);
    long hour = 3_600_000;
    long from = oldStart / hour * hour;
    List<Candle> minutesBefore = candles(channel, 1, 1, oldStart, oldStart + DAY, 60_000);
    List<Candle> hoursBefore = candles(channel, 1, 1, from, from + 2 * DAY, hour);
    server.app().retention().runOnce();
    assertThat(count(jdbc, "SELECT count(*) FROM trades")).isZero();

    // The replay, every old trade followed by a fresh one.
    List<Trade> fresh = trades(1, 1, "fresh-", now - 60_000, 1, old.size());
    List<Trade> replay = new ArrayList<>();
    for (int i = 0; i < old.size(); i++) {
      replay.add(old.get(i));
      replay.add(fresh.get(i));
    }
    IngestTradesResponse response = TradeCalls.ingest(channel, List.of(replay.subList(0, 3_000), replay.subList(3_000, 6_000)));

    assertThat(response.getReceived()).isEqualTo(6_000);
    assertThat(response.getInserted()).isEqualTo(3_000);
    assertThat(response.getRejected()).isEqualTo(3_000);
    assertThat(response.getDuplicates()).isZero();
    RejectedRecord first = response.getRejections(0);
    assertThat(first.getIndex()).isZero();
    assertThat(first.getCode()).isEqualTo(RejectionReason.REJECTION_REASON_PAST_RETENTION);
    assertThat(first.getField()).isEqualTo("trade_time_ms");
    assertThat(first.getReason()).startsWith("is before the retention horizon ").contains("TICKVAULT_RETENTION_DAYS");
    assertThat(response.getRejectionsList()).extracting(RejectedRecord::getIndex)
        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 3_000).map(i -> 2 * i).boxed().toList());
    assertThat(count(jdbc, "SELECT count(*) FROM trades")).isEqualTo(3_000);
    assertThat(count(jdbc, "SELECT count(*) FROM trades WHERE trade_id LIKE 'old-%'")).isZero();
    assertThat(candles(channel, 1, 1, oldStart, oldStart + DAY, 60_000)).isEqualTo(minutesBefore);
    assertThat(candles(channel, 1, 1, from, from + 2 * DAY, hour)).isEqualTo(hoursBefore);

    // Order books alike.
    List<OrderBookSnapshot> books = new ArrayList<>(oldBooks.subList(0, 2));
    books.add(QueryCalls.snapshot(1, 1, now - 1_000, 99, 3));
    Responses<IngestOrderBooksResponse> summary = new Responses<>();
    StreamObserver<IngestOrderBooksRequest> requests = IngestServiceGrpc.newStub(channel).ingestOrderBooks(summary);
    requests.onNext(IngestOrderBooksRequest.newBuilder().addAllSnapshots(books).build());
    requests.onCompleted();
    IngestOrderBooksResponse bookResponse = TradeCalls.await(summary.first());
    assertThat(bookResponse.getInserted()).isEqualTo(1);
    assertThat(bookResponse.getRejectionsList()).extracting(RejectedRecord::getIndex, RejectedRecord::getCode, RejectedRecord::getField)
        .containsExactly(tuple(0L, RejectionReason.REJECTION_REASON_PAST_RETENTION, "server_time_ms"),
            tuple(1L, RejectionReason.REJECTION_REASON_PAST_RETENTION, "server_time_ms"));
    assertThat(count(jdbc, "SELECT count(*) FROM orderbook_snapshots")).isEqualTo(1);
  }
}
