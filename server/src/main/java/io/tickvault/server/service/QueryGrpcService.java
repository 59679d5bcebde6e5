package io.tickvault.server.service;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.GetCandlesRequest;
import io.tickvault.api.v1.GetCandlesResponse;
import io.tickvault.api.v1.GetCoverageRequest;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.GetMarketStateResponse;
import io.tickvault.api.v1.GetOrderBookRequest;
import io.tickvault.api.v1.GetOrderBookResponse;
import io.tickvault.api.v1.ListFeedsRequest;
import io.tickvault.api.v1.ListFeedsResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadOrderBooksResponse;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.server.auth.Caller;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.coverage.CoverageReader;
import io.tickvault.server.coverage.FeedFreshness;
import io.tickvault.server.grpc.BlockingCalls;
import io.tickvault.server.grpc.EncodedMessage;
import io.tickvault.server.grpc.Errors;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.grpc.UnaryCalls;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.marketstate.MarketStateCache;
import io.tickvault.server.metrics.QueryMetrics;
import io.tickvault.server.orderbook.OrderBookReader;
import io.tickvault.server.orderbook.OrderBookSubscriptions;
import io.tickvault.server.read.PageToken;
import io.tickvault.server.read.PagedStream;
import io.tickvault.server.read.ReadArguments;
import io.tickvault.server.read.ReadStreams;
import io.tickvault.server.retention.Dataset;
import io.tickvault.server.retention.Horizons;
import io.tickvault.server.retention.RetentionReport;
import io.tickvault.api.v1.GetRetentionRequest;
import io.tickvault.api.v1.GetRetentionResponse;
import io.tickvault.server.trade.CandleReader;
import io.tickvault.server.trade.TradePageEncoder;
import io.tickvault.server.trade.TradeReader;
import io.tickvault.server.trade.TradeSubscriptions;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeOrderBooksResponse;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.api.v1.MarketRef;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code tickvault.v1.QueryService}: reads back what ingestion stored. The limits below are the
 * ones query.proto documents; docs/reading.md explains the choices.
 */
public final class QueryGrpcService implements QueryServiceGrpc.AsyncService, BindableService {
  /**
   * The first page of a read with the default page size; each next one doubles, up to
   * {@link #MAX_TRADE_PAGE}: a short read answers as soon as with small pages, and a long one costs
   * ten times fewer queries (each has a fixed cost of a round trip and an index descent).
   */
  static final int DEFAULT_TRADE_PAGE = 1_000;
  /** 10,000 trades of at most ~200 bytes each stay under the 4 MiB a gRPC client accepts by default. */
  static final int MAX_TRADE_PAGE = 10_000;
  static final int DEFAULT_BOOK_PAGE = 100;
  static final int MAX_BOOK_PAGE = 1_000;
  /** Levels in one ReadOrderBooks page, both sides of all its snapshots: a few MiB at most. */
  static final int MAX_PAGE_LEVELS = 20_000;
  static final long MAX_CANDLES = 10_000;

  private final ReadArguments arguments;
  private final TradeReader trades;
  private final OrderBookReader books;
  private final CandleReader candles;
  private final CoverageReader coverage;
  private final FeedFreshness feeds;
  private final MarketStateCache state;
  private final TradeSubscriptions subscriptions;
  private final OrderBookSubscriptions orderBookSubscriptions;
  private final BlockingCalls blocking;
  private final ReadStreams streams;
  private final QueryMetrics metrics;
  private final Horizons horizons;
  private final RetentionReport retention;

  public QueryGrpcService(ReadArguments arguments, TradeReader trades, OrderBookReader books, CandleReader candles,
                   CoverageReader coverage, FeedFreshness feeds, MarketStateCache state, TradeSubscriptions subscriptions,
                   OrderBookSubscriptions orderBookSubscriptions, BlockingCalls blocking, ReadStreams streams,
                   QueryMetrics metrics, Horizons horizons, RetentionReport retention) {
    this.arguments = arguments;
    this.trades = trades;
    this.books = books;
    this.candles = candles;
    this.coverage = coverage;
    this.feeds = feeds;
    this.state = state;
    this.subscriptions = subscriptions;
    this.orderBookSubscriptions = orderBookSubscriptions;
    this.blocking = blocking;
    this.streams = streams;
    this.metrics = metrics;
    this.horizons = horizons;
    this.retention = retention;
  }

  /** {@code retained_from_ms} of a read from {@code start}: the horizon when the range starts before it, else 0. */
  private long retainedFrom(Dataset dataset, long start) {
    long horizon = horizons.horizon(dataset);
    return start < horizon ? horizon : 0;
  }

  /**
   * A near-cache hit of a market known here is answered on the thread that received the call (no
   * hand-off); anything else (a market to look up, Redis, PostgreSQL) on the database executor.
   */
  @Override
  public void getMarketState(GetMarketStateRequest request, StreamObserver<GetMarketStateResponse> observer) {
    int exchangeId = request.getExchangeId();
    int pairNo = request.getCurrencyPairNo();
    try {
      Caller.current().requireExchange(exchangeId);
    } catch (RuntimeException e) {
      observer.onError(Errors.toStatus(e));
      return;
    }
    GetMarketStateResponse near = arguments.knownWithoutAsking(exchangeId, pairNo) ? state.nearHit(exchangeId, pairNo) : null;
    if (near != null) {
      observer.onNext(near);
      observer.onCompleted();
      return;
    }
    blocking.respond(observer, () -> {
      FieldViolations violations = new FieldViolations();
      ReadArguments.marketIds(violations, exchangeId, pairNo);
      arguments.registered(violations, exchangeId, pairNo);
      violations.throwIfAny();
      return state.get(exchangeId, pairNo);
    });
  }

  /**
   * Every method as generated, but ReadTrades, which answers with pages encoded straight from the
   * rows ({@link TradePageEncoder}) instead of through message objects: its handler is
   * {@link #readTradePages} below, with {@link EncodedMessage}s.
   */
  @Override
  public ServerServiceDefinition bindService() {
    return EncodedMessage.serverStreaming(QueryServiceGrpc.bindService(this), QueryServiceGrpc.getReadTradesMethod(),
        this::readTradePages);
  }

  /** Trades of a market by time, in pages encoded from the rows (see {@link #bindService()}). */
  void readTradePages(ReadTradesRequest request, StreamObserver<EncodedMessage> observer) {
    PagedStream.serve(observer, () -> tradePager(request), streams);
  }

  private PagedStream.Pager<EncodedMessage> tradePager(ReadTradesRequest r) {
    Caller.current().requireExchange(r.getExchangeId());
    int exchangeId = r.getExchangeId();
    int pairNo = r.getCurrencyPairNo();
    FieldViolations violations = new FieldViolations();
    ReadArguments.marketIds(violations, exchangeId, pairNo);
    long end = ReadArguments.range(violations, r.getStartTimeMs(), r.getEndTimeMs(), true);
    int firstPageSize = ReadArguments.pageSize(violations, r.getPageSize(), DEFAULT_TRADE_PAGE, MAX_TRADE_PAGE);
    boolean growing = r.getPageSize() == 0;
    PageToken first = PageToken.decode(violations, r.getPageToken(), PageToken.Kind.TRADES,
        exchangeId, pairNo, r.getStartTimeMs(), r.getEndTimeMs());
    arguments.registered(violations, exchangeId, pairNo);
    violations.throwIfAny();
    return new PagedStream.Pager<>() {
      private PageToken after = first;
      private int pageSize = firstPageSize;

      @Override
      public PagedStream.Page<EncodedMessage> next() {
        TradePageEncoder page = new TradePageEncoder(exchangeId, pairNo, pageSize);
        if (growing) {
          pageSize = Math.min(2 * pageSize, MAX_TRADE_PAGE);
        }
        boolean more = trades.page(page, r.getStartTimeMs(), end, after);
        metrics.tradeRowsRead.inc(page.count() + (more ? 1 : 0)); // the rows PostgreSQL gave
        long retainedFrom = retainedFrom(Dataset.TRADES, r.getStartTimeMs());
        if (!more) {
          EncodedMessage last = page.finish("", retainedFrom);
          return new PagedStream.Page<>(last, last.length(), "", true);
        }
        after = new PageToken(PageToken.Kind.TRADES, exchangeId, pairNo, r.getStartTimeMs(), r.getEndTimeMs(),
            page.lastTime(), page.lastTradeId(), 0);
        String token = after.encode();
        EncodedMessage encoded = page.finish(token, retainedFrom);
        return new PagedStream.Page<>(encoded, encoded.length(), token, false);
      }
    };
  }

  /**
   * Trades of up to 100 markets as they are committed, after the stored ones
   * (docs/subscribing.md). A market outside the caller's scope is PERMISSION_DENIED.
   */
  @Override
  public void subscribeTrades(SubscribeTradesRequest request, StreamObserver<SubscribeTradesResponse> observer) {
    subscribe(request.getMarketsList(), () -> subscriptions.open(request), observer);
  }

  /**
   * Order book snapshots of up to 100 markets as they are committed, after the stored ones
   * (docs/subscribing.md). A market outside the caller's scope is PERMISSION_DENIED.
   */
  @Override
  public void subscribeOrderBooks(SubscribeOrderBooksRequest request, StreamObserver<SubscribeOrderBooksResponse> observer) {
    subscribe(request.getMarketsList(), () -> orderBookSubscriptions.open(request), observer);
  }

  private <M> void subscribe(List<MarketRef> markets, Supplier<PagedStream.Pager<M>> open,
                                    StreamObserver<M> observer) {
    PagedStream.serve(observer, () -> {
      for (MarketRef market : markets) {
        Caller.current().requireExchange(market.getExchangeId());
      }
      return open.get();
    }, streams, "resume_token");
  }

  @Override
  public void getOrderBook(GetOrderBookRequest request, StreamObserver<GetOrderBookResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Caller.current().requireExchange(request.getExchangeId());
      FieldViolations violations = new FieldViolations();
      ReadArguments.marketIds(violations, request.getExchangeId(), request.getCurrencyPairNo());
      if (request.getAtTimeMs() < 0) {
        violations.add("at_time_ms", "must be epoch milliseconds, or 0 for the latest, got " + request.getAtTimeMs());
      }
      int depth = ReadArguments.depth(violations, request.getDepth());
      arguments.registered(violations, request.getExchangeId(), request.getCurrencyPairNo());
      violations.throwIfAny();
      long at = request.getAtTimeMs() == 0 ? Long.MAX_VALUE : request.getAtTimeMs();
      OrderBookSnapshot snapshot = books.at(request.getExchangeId(), request.getCurrencyPairNo(), at, depth)
          .orElseThrow(() -> Status.NOT_FOUND.withDescription("market " + request.getExchangeId() + "/"
              + request.getCurrencyPairNo() + " has no order book snapshot"
              + (request.getAtTimeMs() == 0 ? "" : " at or before " + request.getAtTimeMs())).asRuntimeException());
      return GetOrderBookResponse.newBuilder().setSnapshot(snapshot).build();
    });
  }

  @Override
  public void readOrderBooks(ReadOrderBooksRequest request, StreamObserver<ReadOrderBooksResponse> observer) {
    PagedStream.serve(observer, () -> orderBookPager(request), streams);
  }

  private PagedStream.Pager<ReadOrderBooksResponse> orderBookPager(ReadOrderBooksRequest r) {
    Caller.current().requireExchange(r.getExchangeId());
    int exchangeId = r.getExchangeId();
    int pairNo = r.getCurrencyPairNo();
    FieldViolations violations = new FieldViolations();
    ReadArguments.marketIds(violations, exchangeId, pairNo);
    long end = ReadArguments.range(violations, r.getStartTimeMs(), r.getEndTimeMs(), true);
    int depth = ReadArguments.depth(violations, r.getDepth());
    int pageSize = ReadArguments.pageSize(violations, r.getPageSize(), DEFAULT_BOOK_PAGE, MAX_BOOK_PAGE);
    PageToken first = PageToken.decode(violations, r.getPageToken(), PageToken.Kind.ORDER_BOOKS,
        exchangeId, pairNo, r.getStartTimeMs(), r.getEndTimeMs());
    arguments.registered(violations, exchangeId, pairNo);
    violations.throwIfAny();
    return new PagedStream.Pager<>() {
      private PageToken after = first;

      @Override
      public PagedStream.Page<ReadOrderBooksResponse> next() {
        List<OrderBookReader.Header> headers = books.headers(exchangeId, pairNo, r.getStartTimeMs(), end, after, pageSize + 1);
        metrics.snapshotRowsRead.inc(headers.size());
        // As many snapshots as page_size and the level budget allow, at least one.
        int count = 0;
        long levels = 0;
        while (count < headers.size() && count < pageSize) {
          int more = headers.get(count).levels(depth);
          if (count > 0 && levels + more > MAX_PAGE_LEVELS) {
            break;
          }
          levels += more;
          count++;
        }
        boolean last = count == headers.size();
        List<OrderBookReader.Header> page = headers.subList(0, count);
        ReadOrderBooksResponse.Builder response = ReadOrderBooksResponse.newBuilder()
            .addAllSnapshots(books.withLevels(exchangeId, pairNo, page, depth))
            .setRetainedFromMs(retainedFrom(Dataset.ORDER_BOOKS, r.getStartTimeMs()));
        if (!last) {
          OrderBookReader.Header h = page.get(page.size() - 1);
          after = new PageToken(PageToken.Kind.ORDER_BOOKS, exchangeId, pairNo, r.getStartTimeMs(), r.getEndTimeMs(),
              h.serverTimeMs(), "", h.sequenceId());
          response.setNextPageToken(after.encode());
        }
        ReadOrderBooksResponse built = response.build();
        return new PagedStream.Page<>(built, built.getSerializedSize(), built.getNextPageToken(), last);
      }
    };
  }

  @Override
  public void getCandles(GetCandlesRequest request, StreamObserver<GetCandlesResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Caller.current().requireExchange(request.getExchangeId());
      FieldViolations violations = new FieldViolations();
      ReadArguments.marketIds(violations, request.getExchangeId(), request.getCurrencyPairNo());
      long start = request.getStartTimeMs();
      long end = ReadArguments.range(violations, start, request.getEndTimeMs(), false);
      boolean rangeOk = start >= 0 && end > 0 && end >= start;
      long interval = request.getIntervalMs();
      if (interval <= 0) {
        violations.add("interval_ms", interval == 0
            ? "is required (milliseconds, e.g. 60000 for one minute)"
            : "must be positive, got " + interval);
      } else if (rangeOk) {
        // Buckets [start, end) touches: from the one holding start to the one holding end - 1.
        long buckets = end == start ? 0 : (end - 1) / interval - start / interval + 1;
        if (buckets > MAX_CANDLES) {
          violations.add("interval_ms", "gives " + buckets + " candles over [" + start + ", " + end
              + "), at most " + MAX_CANDLES + " are allowed: use a shorter range or a longer interval");
        }
      }
      arguments.registered(violations, request.getExchangeId(), request.getCurrencyPairNo());
      violations.throwIfAny();
      return GetCandlesResponse.newBuilder()
          .addAllCandles(candles.candles(request.getExchangeId(), request.getCurrencyPairNo(), start, end, interval))
          .build();
    });
  }

  @Override
  public void getCoverage(GetCoverageRequest request, StreamObserver<GetCoverageResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Caller.current().requireExchange(request.getExchangeId());
      return coverage.coverage(request);
    });
  }

  /** What each table keeps (docs/retention.md); the same for every token that may read market data. */
  @Override
  public void getRetention(GetRetentionRequest request, StreamObserver<GetRetentionResponse> observer) {
    UnaryCalls.respond(observer, retention::report);
  }

  @Override
  public void listFeeds(ListFeedsRequest request, StreamObserver<ListFeedsResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Scope scope = Caller.current().scope();
      if (request.getExchangeId() != 0) {
        Caller.current().requireExchange(request.getExchangeId());
      }
      ListFeedsResponse all = feeds.list(request);
      if (scope.allExchanges()) {
        return all;
      }
      // Every exchange: those in the scope.
      return ListFeedsResponse.newBuilder()
          .addAllFeeds(all.getFeedsList().stream().filter(f -> scope.allowsExchange(f.getExchangeId())).toList())
          .build();
    });
  }
}
