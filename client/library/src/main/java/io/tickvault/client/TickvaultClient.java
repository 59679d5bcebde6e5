package io.tickvault.client;

import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.tickvault.api.TickvaultVersion;
import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.Candle;
import io.tickvault.api.v1.CurrencyPair;
import io.tickvault.api.v1.DeleteApiKeyRequest;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetCandlesRequest;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.GetMarketStateResponse;
import io.tickvault.api.v1.GetOrderBookRequest;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.ListCurrencyPairsResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.PutApiKeyResponse;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadOrderBooksRequest;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.Trade;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The one entry point of the Java client: a channel to tickvault with TLS, a bearer token, default
 * deadlines and retries set up once, and the services' stubs over it.
 *
 * <pre>{@code
 * try (TickvaultClient client = TickvaultClient.builder()
 *     .target("dns:///tickvault.internal:50051")
 *     .token(System.getenv("TICKVAULT_TOKEN"))
 *     .build()) {
 *   List<ApiKey> keys = client.getApiKeys("alice", 0);
 * }
 * }</pre>
 *
 * <p>Unary calls get {@link Builder#deadline} unless the caller sets a shorter one, and are retried
 * on UNAVAILABLE with exponential back-off (all idempotent, but CreateToken: never retried). Streams get neither:
 * their length depends on the data; the stream writers replay what was not acknowledged, and the
 * readers resume from the last page token they received.
 * Instances are thread-safe; make one per process and share it. Each has a network thread of its
 * own (a Netty event loop), which {@link #close()} ends, so a process that closed its clients exits at once.
 *
 * <p>The groups of calls that grew have classes of their own ({@link CoverageCalls}, {@link TokenCalls},
 * {@link AuditCalls}), and the channel with its network thread is {@link ClientTransport}.
 */
public final class TickvaultClient implements AutoCloseable {
  /** Where the client connects when no target is given. */
  public static final String DEFAULT_TARGET = "127.0.0.1:50051";
  /** Default deadline of a unary call, retries included. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);
  /** Default number of attempts of a unary call that fails with UNAVAILABLE. */
  public static final int DEFAULT_MAX_ATTEMPTS = 4;
  private final ClientTransport transport;
  private final Channel channel;
  private final String target;

  private TickvaultClient(ClientTransport transport, CallCredentials credentials, String target) {
    this.transport = transport;
    this.channel = credentials == null
        ? transport.channel()
        : ClientInterceptors.intercept(transport.channel(), new DefaultCredentials(credentials));
    this.target = target;
  }

  /** A builder with the defaults: {@value #DEFAULT_TARGET}, plaintext, no token. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The channel with the token attached to every call, for stubs this class does not make (for
   * instance with {@code IngestServiceGrpc.newStub(client.channel())}).
   */
  public Channel channel() {
    return channel;
  }

  /** The target this client was built for, as given. */
  public String target() {
    return target;
  }

  /** Blocking stub of {@code tickvault.v1.MarketService}. */
  public MarketServiceGrpc.MarketServiceBlockingStub markets() {
    return MarketServiceGrpc.newBlockingStub(channel);
  }

  /** Blocking stub of {@code tickvault.v1.ApiKeyService}. */
  public ApiKeyServiceGrpc.ApiKeyServiceBlockingStub apiKeys() {
    return ApiKeyServiceGrpc.newBlockingStub(channel);
  }

  /** Blocking stub of {@code tickvault.v1.ApiKeyAdminService} (admin token needed). */
  public ApiKeyAdminServiceGrpc.ApiKeyAdminServiceBlockingStub apiKeyAdmin() {
    return ApiKeyAdminServiceGrpc.newBlockingStub(channel);
  }

  /** Blocking stub of {@code tickvault.v1.QueryService}, for calls this class has no method for. */
  public QueryServiceGrpc.QueryServiceBlockingStub query() {
    return QueryServiceGrpc.newBlockingStub(channel);
  }

  /** Asynchronous stub of {@code tickvault.v1.IngestService}, for the streaming calls. */
  public IngestServiceGrpc.IngestServiceStub ingest() {
    return IngestServiceGrpc.newStub(channel);
  }

  /**
   * Opens a trade writer over {@code StreamTrades} with the token of this client: it batches,
   * waits while the server is behind, and resends what was not acknowledged when the server or
   * its database goes away. Close it (or {@code finish()} it) when done.
   */
  public TradeStreamWriter openTradeWriter() {
    return TradeStreamWriter.open(channel);
  }

  /** As {@link #openTradeWriter()}, with other batch sizes or retry time. */
  public TradeStreamWriter openTradeWriter(TradeStreamWriter.Options options) {
    return TradeStreamWriter.open(channel, options);
  }

  /**
   * Opens an order book writer over {@code IngestOrderBooks} with the token of this client: it
   * batches, waits while the server is behind, and sends a call's snapshots again when the server
   * or its database goes away. Close it (or {@code finish()} it) when done.
   */
  public ResendingOrderBookWriter openOrderBookWriter() {
    return ResendingOrderBookWriter.open(channel);
  }

  /** As {@link #openOrderBookWriter()}, with other batch and call sizes or retry time. */
  public ResendingOrderBookWriter openOrderBookWriter(ResendingOrderBookWriter.Options options) {
    return ResendingOrderBookWriter.open(channel, options);
  }

  /** Registers an exchange (or renames it); returns true when it was new. Needs PERMISSION_MARKETS_WRITE. */
  public boolean putExchange(int exchangeId, String code) {
    return markets().putExchange(PutExchangeRequest.newBuilder().setExchangeId(exchangeId).setCode(code).build()).getCreated();
  }

  /** Registers a currency pair of a registered exchange; returns true when it was new. Needs PERMISSION_MARKETS_WRITE. */
  public boolean putCurrencyPair(int exchangeId, int currencyPairNo, String baseCurrency, String quoteCurrency) {
    return markets().putCurrencyPair(PutCurrencyPairRequest.newBuilder().setExchangeId(exchangeId).setCurrencyPairNo(currencyPairNo)
        .setBaseCurrency(baseCurrency).setQuoteCurrency(quoteCurrency).build()).getCreated();
  }

  /** The registered currency pairs of one exchange, or of all when {@code exchangeId} is 0. */
  public List<CurrencyPair> listCurrencyPairs(int exchangeId) {
    return listMarkets(exchangeId).getCurrencyPairsList();
  }

  /** The pairs and the exchanges (with or without pairs) of one exchange, or of all when {@code exchangeId} is 0. */
  public ListCurrencyPairsResponse listMarkets(int exchangeId) {
    return markets().listCurrencyPairs(ListCurrencyPairsRequest.newBuilder().setExchangeId(exchangeId).build());
  }

  /** The API keys of a user on one exchange, or on all when {@code exchangeId} is 0. */
  public List<ApiKey> getApiKeys(String userId, int exchangeId) {
    return apiKeys().getApiKeys(GetApiKeysRequest.newBuilder().setUserId(userId).setExchangeId(exchangeId).build()).getApiKeysList();
  }

  /** Stores or replaces an API key. Needs PERMISSION_API_KEYS_WRITE. */
  public PutApiKeyResponse putApiKey(PutApiKeyRequest request) {
    return apiKeyAdmin().putApiKey(request);
  }

  /** Deletes an API key; returns false when there was none. Needs PERMISSION_API_KEYS_WRITE. */
  public boolean deleteApiKey(String userId, int exchangeId, String accessKey) {
    return apiKeyAdmin().deleteApiKey(DeleteApiKeyRequest.newBuilder()
        .setUserId(userId).setExchangeId(exchangeId).setAccessKey(accessKey).build()).getDeleted();
  }

  /** What the feeds hold and where they have holes: gap reports, coverage, freshness. */
  public CoverageCalls coverage() {
    return new CoverageCalls(channel);
  }

  /** The audit trail: its records, and whether its chains are whole. Needs PERMISSION_AUDIT_READ. */
  public AuditCalls audit() {
    return new AuditCalls(channel);
  }

  /** What this client's token may do ({@code whoAmI}); with a token admin's token, the stored tokens. */
  public TokenCalls tokens() {
    return new TokenCalls(channel);
  }

  /**
   * The hot state of a market: its last trade and last order book ({@code hasLastTrade()} and
   * {@code hasLastOrderBook()} are false when it has none). A worker restarting asks this to
   * find where its feed stopped.
   */
  public GetMarketStateResponse getMarketState(int exchangeId, int currencyPairNo) {
    return query().getMarketState(GetMarketStateRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(currencyPairNo).build());
  }

  /**
   * The snapshot of a market in force at {@code atTimeMs} (0: the latest), with at most
   * {@code depth} levels a side (0: all). NOT_FOUND when the market has none at or before then.
   */
  public OrderBookSnapshot getOrderBook(int exchangeId, int currencyPairNo, long atTimeMs, int depth) {
    return query().getOrderBook(GetOrderBookRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(currencyPairNo).setAtTimeMs(atTimeMs).setDepth(depth).build())
        .getSnapshot();
  }

  /**
   * OHLCV candles of a market's trades in {@code [startTimeMs, endTimeMs)}, buckets of
   * {@code intervalMs} aligned to the epoch, oldest first; buckets without trades are left out.
   */
  public List<Candle> getCandles(int exchangeId, int currencyPairNo, long startTimeMs, long endTimeMs, long intervalMs) {
    return query().getCandles(GetCandlesRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(currencyPairNo)
        .setStartTimeMs(startTimeMs).setEndTimeMs(endTimeMs).setIntervalMs(intervalMs).build()).getCandlesList();
  }

  /**
   * Reads the trades of a market and time range, oldest first, resuming from the last page token
   * when the stream breaks (see {@link ResumingReader}). Close the reader when stopping early.
   */
  public ResumingReader<Trade> readTrades(ReadTradesRequest request) {
    return ResumingReader.trades(channel, request, ResumingReader.Options.DEFAULT);
  }

  /** As {@link #readTrades(ReadTradesRequest)}, with another page timeout or retry time. */
  public ResumingReader<Trade> readTrades(ReadTradesRequest request, ResumingReader.Options options) {
    return ResumingReader.trades(channel, request, options);
  }

  /**
   * Subscribes to trades of up to 100 markets: the stored ones from the request's start time, then
   * every one committed, each once, resuming by itself when the stream breaks (see
   * {@link ResumingReader#subscribeTrades}). {@code hasNext()} waits for the next trade. Close it to stop.
   */
  public ResumingReader<Trade> subscribeTrades(SubscribeTradesRequest request) {
    return ResumingReader.subscribeTrades(channel, request, ResumingReader.Options.DEFAULT);
  }

  /** As {@link #subscribeTrades(SubscribeTradesRequest)}, with another page timeout or retry time. */
  public ResumingReader<Trade> subscribeTrades(SubscribeTradesRequest request, ResumingReader.Options options) {
    return ResumingReader.subscribeTrades(channel, request, options);
  }

  /**
   * Subscribes to order book snapshots of up to 100 markets, each cut to the request's depth: the
   * stored ones from the request's start time, then every one committed, each once, resuming by
   * itself as {@link #subscribeTrades(SubscribeTradesRequest)} does. Close it to stop.
   */
  public ResumingReader<OrderBookSnapshot> subscribeOrderBooks(SubscribeOrderBooksRequest request) {
    return ResumingReader.subscribeOrderBooks(channel, request, ResumingReader.Options.DEFAULT);
  }

  /** As {@link #subscribeOrderBooks(SubscribeOrderBooksRequest)}, with another page timeout or retry time. */
  public ResumingReader<OrderBookSnapshot> subscribeOrderBooks(SubscribeOrderBooksRequest request,
                                                               ResumingReader.Options options) {
    return ResumingReader.subscribeOrderBooks(channel, request, options);
  }

  /** Reads the order book snapshots of a market and time range, oldest first, resuming as {@link #readTrades}. */
  public ResumingReader<OrderBookSnapshot> readOrderBooks(ReadOrderBooksRequest request) {
    return ResumingReader.orderBooks(channel, request, ResumingReader.Options.DEFAULT);
  }

  /** As {@link #readOrderBooks(ReadOrderBooksRequest)}, with other options. */
  public ResumingReader<OrderBookSnapshot> readOrderBooks(ReadOrderBooksRequest request, ResumingReader.Options options) {
    return ResumingReader.orderBooks(channel, request, options);
  }

  /**
   * The server's health as {@code grpc.health.v1.Health/Check} reports it: SERVING while it can
   * reach PostgreSQL. {@code service} is empty for the whole server, or a service's full name.
   */
  public HealthCheckResponse.ServingStatus health(String service) {
    return HealthGrpc.newBlockingStub(channel)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  /**
   * The version of the server at the other end, from the {@value TickvaultVersion#SERVER_VERSION_HEADER}
   * header that it sends on every call; asked with a {@code Health/Check}, which needs no token.
   * Empty when the server does not send one (a server older than 0.2.0). Throws the call's
   * {@link io.grpc.StatusRuntimeException} when the server cannot be reached.
   */
  public Optional<String> serverVersion() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    HealthGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .check(HealthCheckRequest.getDefaultInstance());
    Metadata.Key<String> key = Metadata.Key.of(TickvaultVersion.SERVER_VERSION_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    return Stream.of(headers.get(), trailers.get())
        .filter(Objects::nonNull)
        .map(metadata -> metadata.get(key))
        .filter(Objects::nonNull)
        .findFirst();
  }

  /** Closes the channel, letting calls in flight finish for up to five seconds, and its threads. */
  @Override
  public void close() {
    transport.close();
  }

  /** Options of a {@link TickvaultClient}; each setter checks its value at once. */
  public static final class Builder {
    private String target = DEFAULT_TARGET;
    private String token;
    private boolean tls;
    private Path caFile;
    private Path clientCertFile;
    private Path clientKeyFile;
    private String authorityOverride;
    private Duration deadline = DEFAULT_DEADLINE;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;

    private Builder() {}

    /**
     * Where the server is: {@code host:port} for one server, or a gRPC target URI such as
     * {@code dns:///tickvault.internal:50051}, whose addresses are all used in round robin.
     */
    public Builder target(String target) {
      if (target == null || target.isBlank()) {
        throw new IllegalArgumentException("target: must be host:port or a URI such as dns:///host:port");
      }
      this.target = target.trim();
      return this;
    }

    /** The bearer token sent as {@code authorization: Bearer …}; null or empty sends none. */
    public Builder token(String token) {
      this.token = token == null || token.isBlank() ? null : token.trim();
      return this;
    }

    /** Uses TLS, trusting the JDK's default certificate authorities (see {@link #tlsCa}). */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** Uses TLS, trusting the certificate authorities in this PEM file. */
    public Builder tlsCa(Path caFile) {
      this.caFile = requireReadable(caFile, "tlsCa");
      this.tls = true;
      return this;
    }

    /** Presents this client certificate and key (PEM, key in PKCS#8) for mutual TLS. */
    public Builder tlsClientCertificate(Path certFile, Path keyFile) {
      this.clientCertFile = requireReadable(certFile, "tlsClientCertificate cert");
      this.clientKeyFile = requireReadable(keyFile, "tlsClientCertificate key");
      this.tls = true;
      return this;
    }

    /** The host name checked against the server's certificate, when it differs from the target's. */
    public Builder authority(String authority) {
      this.authorityOverride = authority;
      return this;
    }

    /** Deadline of each unary call, retries included; default {@link #DEFAULT_DEADLINE}. */
    public Builder deadline(Duration deadline) {
      if (deadline == null || deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline: must be positive, got " + deadline);
      }
      this.deadline = deadline;
      return this;
    }

    /** Attempts of a unary call failing with UNAVAILABLE, 1 (no retry) to 5; default 4. */
    public Builder maxAttempts(int maxAttempts) {
      // gRPC caps attempts at 5 unless the channel is told otherwise.
      if (maxAttempts < 1 || maxAttempts > 5) {
        throw new IllegalArgumentException("maxAttempts: must be 1 to 5, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Opens the channel (lazily: nothing connects before the first call). */
    public TickvaultClient build() {
      ClientTransport transport = ClientTransport.open(target,
          ClientTransport.credentials(tls, caFile, clientCertFile, clientKeyFile), deadline, maxAttempts, authorityOverride);
      return new TickvaultClient(transport, token == null ? null : new BearerToken(token), target);
    }

    private static Path requireReadable(Path file, String what) {
      Objects.requireNonNull(file, what);
      if (!java.nio.file.Files.isReadable(file)) {
        throw new IllegalArgumentException(what + ": cannot read " + file);
      }
      return file;
    }
  }
}
