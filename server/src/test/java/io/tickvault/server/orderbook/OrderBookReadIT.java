package io.tickvault.server.orderbook;

import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgument;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static io.tickvault.server.testing.QueryCalls.ingestOrderBooks;
import static io.tickvault.server.testing.QueryCalls.readOrderBookPages;
import static io.tickvault.server.testing.QueryCalls.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tickvault.api.v1.GetOrderBookRequest;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadOrderBooksResponse;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GetOrderBook and ReadOrderBooks through the real service. */
class OrderBookReadIT {
  static final long T0 = TradeCalls.TIME;

  @RegisterExtension
  static TestServer server = TestServer.inProcess().configure(b -> b.maxBookLevels(10_000));

  /** Market 1/1's snapshots, oldest first: times T0, T0+10, ... with two sequence ids at each time. */
  static List<OrderBookSnapshot> stored = new ArrayList<>();

  @BeforeAll
  static void ingest() {
    TradeCalls.registerMarket(server.channel(), 1, 1, 2, 3);
    for (int i = 0; i < 60; i++) {
      stored.add(snapshot(1, 1, T0 + i * 10L, 7, 3 + i % 5));
      stored.add(snapshot(1, 1, T0 + i * 10L, 12, 20));
    }
    List<OrderBookSnapshot> shuffled = new ArrayList<>(stored);
    Collections.shuffle(shuffled, new Random(3));
    ingestOrderBooks(server.channel(), shuffled);
    ingestOrderBooks(server.channel(), List.of(snapshot(1, 2, T0 + 5, 1, 2)));
    // A book too large for one page's level budget on its own.
    ingestOrderBooks(server.channel(), List.of(snapshot(1, 3, T0, 1, 1_000),
        snapshot(1, 3, T0 + 1, 1, 1_000), snapshot(1, 3, T0 + 2, 1, 9_000)));
  }

  static QueryServiceGrpc.QueryServiceBlockingStub query() {
    return QueryServiceGrpc.newBlockingStub(server.channel());
  }

  static GetOrderBookRequest.Builder get() {
    return GetOrderBookRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1);
  }

  @Test
  void getOrderBook_latestOrAtTime_withAllLevelsOrCutToDepth() {
    assertThat(query().getOrderBook(get().build()).getSnapshot()).isEqualTo(stored.get(stored.size() - 1));
    // At a time between two snapshots: the greatest (server_time_ms, sequence_id) at or before it.
    assertThat(query().getOrderBook(get().setAtTimeMs(T0 + 105).build()).getSnapshot()).isEqualTo(stored.get(21));
    assertThat(query().getOrderBook(get().setAtTimeMs(T0 + 100).build()).getSnapshot()).isEqualTo(stored.get(21));
    assertThat(query().getOrderBook(get().setAtTimeMs(T0).build()).getSnapshot()).isEqualTo(stored.get(1));

    OrderBookSnapshot full = stored.get(21);
    OrderBookSnapshot cut = query().getOrderBook(get().setAtTimeMs(T0 + 100).setDepth(3).build()).getSnapshot();
    assertThat(cut.getBidsList()).containsExactlyElementsOf(full.getBidsList().subList(0, 3));
    assertThat(cut.getAsksList()).containsExactlyElementsOf(full.getAsksList().subList(0, 3));
    assertThat(cut.getBids(0).getPrice()).isEqualTo("100000.50");
    assertThat(cut.getBids(0).getQuantity()).isEqualTo("0.010");
  }

  @Test
  void getOrderBook_withoutSnapshot_isNotFoundSayingSo() {
    var e = rpcError(() -> query().getOrderBook(get().setAtTimeMs(T0 - 1).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo("market 1/1 has no order book snapshot at or before " + (T0 - 1));
  }

  @Test
  void readOrderBooks_oldestFirst_inPages_resumable_andCutToDepth() {
    ReadOrderBooksRequest request = ReadOrderBooksRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
        .setStartTimeMs(T0 + 100).setEndTimeMs(T0 + 300).setPageSize(9).build();
    List<OrderBookSnapshot> expected = stored.subList(20, 60);

    List<ReadOrderBooksResponse> pages = readOrderBookPages(server.channel(), request);
    assertThat(snapshotsOf(pages)).containsExactlyElementsOf(expected);
    assertThat(pages).hasSize(5);
    assertThat(pages.get(4).getNextPageToken()).isEmpty();

    List<OrderBookSnapshot> rest = snapshotsOf(readOrderBookPages(server.channel(),
        request.toBuilder().setPageToken(pages.get(1).getNextPageToken()).build()));
    assertThat(rest).containsExactlyElementsOf(expected.subList(18, 40));

    List<OrderBookSnapshot> shallow = snapshotsOf(readOrderBookPages(server.channel(), request.toBuilder().setDepth(2).build()));
    assertThat(shallow).hasSize(40).allSatisfy(s -> {
      assertThat(s.getBidsCount()).isEqualTo(2);
      assertThat(s.getAsksCount()).isEqualTo(2);
    });
  }

  @Test
  void readOrderBooks_pageStopsAtTheLevelBudget_butHoldsAtLeastOneSnapshot() {
    List<ReadOrderBooksResponse> pages = readOrderBookPages(server.channel(),
        ReadOrderBooksRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(3).build());

    // 2,000 + 2,000 levels fit in one page of at most 20,000; 18,000 more would not.
    assertThat(pages).extracting(ReadOrderBooksResponse::getSnapshotsCount).containsExactly(2, 1);
    assertThat(pages.get(1).getSnapshots(0).getBidsCount()).isEqualTo(9_000);
  }

  @Test
  void badRequests_areInvalidArgumentNamingTheField() {
    assertInvalidArgument(rpcError(() -> query().getOrderBook(get().setDepth(-1).build())),
        "depth", "must be 1 to 32768, or 0 for every level, got -1");
    assertInvalidArgument(rpcError(() -> query().getOrderBook(get().setAtTimeMs(-1).build())),
        "at_time_ms", "must be epoch milliseconds, or 0 for the latest, got -1");
    assertInvalidArgument(rpcError(() -> query().getOrderBook(get().setCurrencyPairNo(9).build())),
        "currency_pair_no", "market 1/9 is not registered: PutCurrencyPair first");
    ReadOrderBooksRequest read = ReadOrderBooksRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1).build();
    assertInvalidArgument(rpcError(() -> readOrderBookPages(server.channel(), read.toBuilder().setPageSize(1_001).build())),
        "page_size", "must be 1 to 1000, or 0 for the default 100, got 1001");
    assertInvalidArgument(rpcError(() -> readOrderBookPages(server.channel(),
            read.toBuilder().setStartTimeMs(10).setEndTimeMs(5).build())),
        "end_time_ms", "must not be before start_time_ms (10), got 5");
  }

  private static List<OrderBookSnapshot> snapshotsOf(List<ReadOrderBooksResponse> pages) {
    List<OrderBookSnapshot> all = new ArrayList<>();
    pages.forEach(p -> all.addAll(p.getSnapshotsList()));
    return all;
  }
}
