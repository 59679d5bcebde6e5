package io.tickvault.server.trade;

import static io.tickvault.server.testing.GrpcAssertions.assertInvalidArgument;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static io.tickvault.server.testing.QueryCalls.TRADE_ORDER;
import static io.tickvault.server.testing.QueryCalls.ingestTrades;
import static io.tickvault.server.testing.QueryCalls.readTradePages;
import static io.tickvault.server.testing.QueryCalls.trade;
import static io.tickvault.server.testing.QueryCalls.tradesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.read.PageToken;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.TestServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ReadTrades through the real service: order, range, pages and tokens, resuming a broken stream,
 * the client's flow control, and the checks of the request.
 */
class ReadTradesIT {
  static final long T0 = TradeCalls.TIME;

  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  /** What was ingested into market 1/1, in the order the reads promise. */
  static List<Trade> stored;

  @BeforeAll
  static void ingest() {
    TradeCalls.registerMarket(server.channel(), 1, 1, 2);
    List<Trade> trades = new ArrayList<>();
    // Groups of trades sharing one millisecond, with ids whose byte order differs from their
    // numeric or case-insensitive order, so page boundaries fall inside a millisecond.
    String[] ids = {"9", "10", "B", "a", "Z", "é", "z", "A-1", "a-1", "ß"};
    for (int ms = 0; ms < 300; ms++) {
      for (int k = 0; k < 1 + ms % ids.length; k++) {
        trades.add(trade(1, 1, ids[k] + "/" + ms, T0 + ms * 10L, (64_000 + ms) + "." + k + "0", "0.000" + (k + 1)));
      }
    }
    trades.add(trade(1, 1, "decimal-1", T0 + 5_000, "12.30", "1.000000000000000000"));
    trades.add(trade(1, 1, "decimal-2", T0 + 5_001, "0.00001234", "64250000"));
    trades.add(trade(1, 2, "other-market", T0 + 100, "1", "1")); // never in a read of 1/1
    java.util.Collections.shuffle(trades, new java.util.Random(7));
    ingestTrades(server.channel(), trades);
    stored = trades.stream().filter(t -> t.getCurrencyPairNo() == 1).sorted(TRADE_ORDER).toList();
  }

  static ReadTradesRequest.Builder request() {
    return ReadTradesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1);
  }

  @Test
  void wholeMarket_oldestFirstByTimeThenIdBytes_inFullPagesWithTokens_decimalsAsSent() {
    List<ReadTradesResponse> pages = readTradePages(server.channel(), request().setPageSize(7).build());

    assertThat(tradesOf(pages)).containsExactlyElementsOf(stored);
    for (int i = 0; i < pages.size() - 1; i++) {
      assertThat(pages.get(i).getTradesCount()).isEqualTo(7);
      assertThat(pages.get(i).getNextPageToken()).isNotEmpty();
    }
    ReadTradesResponse last = pages.get(pages.size() - 1);
    assertThat(last.getNextPageToken()).isEmpty();
    assertThat(last.getTradesList()).extracting(Trade::getPrice).endsWith("12.30", "0.00001234");
    assertThat(last.getTradesList()).extracting(Trade::getQuantity).endsWith("1.000000000000000000", "64250000");
  }

  @Test
  void defaultPageSize_startsAtAThousandAndDoubles() {
    TradeCalls.registerMarket(server.channel(), 1, 3);
    List<Trade> trades = new ArrayList<>();
    for (int i = 0; i < 3_500; i++) {
      trades.add(trade(1, 3, "g-" + i, T0 + i, "1.5", "2"));
    }
    ingestTrades(server.channel(), trades);

    List<ReadTradesResponse> pages = readTradePages(server.channel(), request().setCurrencyPairNo(3).build());

    assertThat(pages).extracting(ReadTradesResponse::getTradesCount).containsExactly(1_000, 2_000, 500);
    assertThat(tradesOf(pages)).containsExactlyElementsOf(trades.stream().sorted(TRADE_ORDER).toList());
  }

  @Test
  void timeRange_isStartInclusiveEndExclusive() {
    long start = T0 + 50 * 10L;
    long end = T0 + 120 * 10L;
    List<Trade> expected = stored.stream().filter(t -> t.getTradeTimeMs() >= start && t.getTradeTimeMs() < end).toList();

    List<Trade> read = tradesOf(readTradePages(server.channel(),
        request().setStartTimeMs(start).setEndTimeMs(end).setPageSize(100).build()));

    assertThat(read).isNotEmpty().containsExactlyElementsOf(expected);
  }

  @Test
  void emptyRange_isOneEmptyPageWithoutToken() {
    List<ReadTradesResponse> pages = readTradePages(server.channel(),
        request().setStartTimeMs(T0 - 1_000).setEndTimeMs(T0).build());

    assertThat(pages).containsExactly(ReadTradesResponse.getDefaultInstance());
  }

  @Test
  void streamCancelledMidway_resumesFromLastTokenWithNoneMissedAndNoneTwice() {
    ReadTradesRequest first = request().setPageSize(13).build();
    List<ReadTradesResponse> before = new ArrayList<>();
    Context.CancellableContext context = Context.current().withCancellation();
    context.run(() -> {
      Iterator<ReadTradesResponse> it = QueryServiceGrpc.newBlockingStub(server.channel()).readTrades(first);
      for (int i = 0; i < 5; i++) {
        before.add(it.next());
      }
    });
    context.cancel(null);

    String token = before.get(before.size() - 1).getNextPageToken();
    List<Trade> after = tradesOf(readTradePages(server.channel(), first.toBuilder().setPageToken(token).build()));

    List<Trade> all = new ArrayList<>(tradesOf(before));
    all.addAll(after);
    assertThat(all).containsExactlyElementsOf(stored);
    Set<String> ids = new HashSet<>();
    all.forEach(t -> assertThat(ids.add(t.getTradeId())).as("read twice: %s", t.getTradeId()).isTrue());
  }

  @Test
  void resumingFromEveryToken_givesExactlyTheRest() {
    ReadTradesRequest first = request().setPageSize(500).build();
    List<ReadTradesResponse> pages = readTradePages(server.channel(), first);
    int sent = 0;
    for (ReadTradesResponse page : pages) {
      sent += page.getTradesCount();
      if (page.getNextPageToken().isEmpty()) {
        break;
      }
      List<Trade> rest = tradesOf(readTradePages(server.channel(), first.toBuilder().setPageToken(page.getNextPageToken()).build()));
      assertThat(rest).containsExactlyElementsOf(stored.subList(sent, stored.size()));
    }
  }

  @Test
  void slowReader_serverFetchesOnlyThePagesTheClientAskedFor_andOneAhead() throws Exception {
    LinkedBlockingQueue<ReadTradesResponse> received = new LinkedBlockingQueue<>();
    CompletableFuture<ClientCallStreamObserver<ReadTradesRequest>> call = new CompletableFuture<>();
    double rowsBefore = rowsRead();
    QueryServiceGrpc.newStub(server.channel()).readTrades(request().setPageSize(10).build(),
        new ClientResponseObserver<ReadTradesRequest, ReadTradesResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<ReadTradesRequest> requestStream) {
            requestStream.disableAutoRequestWithInitial(1);
            call.complete(requestStream);
          }

          @Override
          public void onNext(ReadTradesResponse page) {
            received.add(page);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });

    assertThat(received.poll(10, TimeUnit.SECONDS)).isNotNull();
    // Time for a server that ignored flow control to run ahead (it would read every page).
    Thread.sleep(300);
    assertThat(received).isEmpty();
    // The page asked for, and the next one read ahead (it waits in the server for the client).
    assertThat(rowsRead() - rowsBefore).as("rows fetched for one page asked").isEqualTo(22);

    call.get().request(2);
    assertThat(received.poll(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(received.poll(10, TimeUnit.SECONDS)).isNotNull();
    Thread.sleep(300);
    assertThat(received).isEmpty();
    assertThat(rowsRead() - rowsBefore).as("rows fetched for three pages asked").isEqualTo(44);
    call.get().cancel("done", null);
  }

  @Test
  void tokenOfAnotherReadOrMangled_isInvalidArgumentOnPageToken() {
    String token = readTradePages(server.channel(), request().setPageSize(5).build()).get(0).getNextPageToken();
    String orderBookToken = new PageToken(PageToken.Kind.ORDER_BOOKS, 1, 1, 0, 0, T0, "", 1).encode();

    for (ReadTradesRequest bad : List.of(
        request().setEndTimeMs(T0 + 1_000).setPageToken(token).build(),     // another range
        request().setCurrencyPairNo(2).setPageToken(token).build(),         // another market
        request().setPageToken(orderBookToken).build(),                     // another RPC
        request().setPageToken(token.substring(0, token.length() - 2)).build(), // cut
        request().setPageToken(flipOneCharacter(token)).build(),            // mangled
        request().setPageToken("not a token!").build())) {
      assertThat(rpcError(() -> readTradePages(server.channel(), bad)).getStatus().getDescription())
          .startsWith("page_token: ");
    }
  }

  @Test
  void forgedTokenWithARecomputedCrc_isInvalidArgumentOnPageToken_neverReachingPostgresql() {
    // Before the decoded fields were checked, the NUL went to PostgreSQL and the call failed INTERNAL.
    String nul = new PageToken(PageToken.Kind.TRADES, 1, 1, 0, 0, T0, "9/0\0", 0).encode();
    StatusRuntimeException e = rpcError(() -> readTradePages(server.channel(), request().setPageToken(nul).build()));
    System.out.println("forged page token with a NUL in its trade id: " + e.getStatus());
    assertInvalidArgument(e, "page_token", "is not a token this server issued (a trade id with a NUL character): "
        + "pass a next_page_token exactly as received, or leave it empty to start over");
    String beforeStart = new PageToken(PageToken.Kind.TRADES, 1, 1, T0, 0, T0 - 1, "9/0", 0).encode();
    assertThat(rpcError(() -> readTradePages(server.channel(), request().setStartTimeMs(T0).setPageToken(beforeStart).build()))
        .getStatus().getDescription()).startsWith("page_token: is not a token this server issued (its last time");
  }

  @Test
  void badRequests_areInvalidArgumentNamingTheField() {
    assertInvalidArgument(rpcError(() -> readTradePages(server.channel(), request().setCurrencyPairNo(99).build())),
        "currency_pair_no", "market 1/99 is not registered: PutCurrencyPair first");
    assertInvalidArgument(rpcError(() -> readTradePages(server.channel(), request().setExchangeId(0).build())),
        "exchange_id", "is required");
    assertInvalidArgument(rpcError(() -> readTradePages(server.channel(),
            request().setStartTimeMs(T0).setEndTimeMs(T0 - 1).build())),
        "end_time_ms", "must not be before start_time_ms (" + T0 + "), got " + (T0 - 1));
    assertInvalidArgument(rpcError(() -> readTradePages(server.channel(), request().setStartTimeMs(-1).build())),
        "start_time_ms", "must not be negative (epoch milliseconds), got -1");
    assertInvalidArgument(rpcError(() -> readTradePages(server.channel(), request().setPageSize(10_001).build())),
        "page_size", "must be 1 to 10000, or 0 for the default 1000, got 10001");
    assertInvalidArgument(rpcError(() -> readTradePages(server.channel(), request().setPageSize(-5).build())),
        "page_size", "must be 1 to 10000, or 0 for the default 1000, got -5");
  }

  private static double rowsRead() {
    return MetricValues.counter(server.app().metrics().registry(), "tickvault_read_rows_total", "kind", "trade");
  }

  private static String flipOneCharacter(String token) {
    int middle = token.length() / 2;
    char c = token.charAt(middle);
    return token.substring(0, middle) + (c == 'A' ? 'B' : 'A') + token.substring(middle + 1);
  }
}
