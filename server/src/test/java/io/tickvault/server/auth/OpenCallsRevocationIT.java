package io.tickvault.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.AuthServiceGrpc;
import io.tickvault.api.v1.CreateTokenRequest;
import io.tickvault.api.v1.CreateTokenResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.Permission;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.api.v1.RevokeTokenRequest;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.SubscribeTradesResponse;
import io.tickvault.api.v1.TokenAdminServiceGrpc;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.WhoAmIRequest;
import io.tickvault.server.testing.Bearer;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.QueryCalls;
import io.tickvault.server.testing.Replicas;
import io.tickvault.server.testing.Responses;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Calls open with a stored token end when it is revoked on another replica (through Redis, or the
 * check of the table alone) or when it expires: the client gets UNAUTHENTICATED saying why; an
 * ingestion stream's acknowledged requests are stored and sending everything again with another
 * token stores each trade once; a read stream waiting for its client gives back the pages it held;
 * and no call stays registered once it has ended.
 */
class OpenCallsRevocationIT {
  static final String ADMIN = "admin-token-0123456789abcdef";
  private static final Duration WITHIN = Duration.ofSeconds(1);

  /** A, B, and a replica with no Redis at all: a revocation reaches it by its check of the table alone. */
  @RegisterExtension
  static Replicas replicas = Replicas.withAdminToken(ADMIN);

  @BeforeAll
  static void registerMarkets() {
    TradeCalls.registerMarket(Bearer.channel(replicas.a().channel(), ADMIN), 1, 1, 2, 3, 4, 5);
  }

  @Test
  void aSubscriptionOnB_endsUnauthenticated_withinOneSecondOfItsTokensRevocationOnA() throws Exception {
    assertSubscriptionEndsWhenRevoked(replicas.b(), 1);
  }

  @Test
  void aSubscriptionOnAReplicaThatHearsNothingFromRedis_endsWithinOneSecondOfTheRevocation() throws Exception {
    assertSubscriptionEndsWhenRevoked(replicas.withoutRedis(), 2);
  }

  private static void assertSubscriptionEndsWhenRevoked(TestServer other, int pairNo) throws Exception {
    CreateTokenResponse created = create(Permission.PERMISSION_MARKET_DATA_READ, 0);
    String token = awaitAccepted(other, created);
    Subscription subscription = Subscription.start(Bearer.channel(other.channel(), token), pairNo);
    Eventually.await("the subscription has caught up", Duration.ofSeconds(10), subscription::caughtUp);
    assertThat(other.app().openCallsWithStoredTokens()).isEqualTo(1);
    double refusalsBefore = unauthenticatedRefusals(other);

    revoke(created);
    long revokedAt = System.nanoTime();
    Status end = subscription.end().get(5, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - revokedAt);
    assertThat(end.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(end.getDescription()).isEqualTo("token " + created.getInfo().getTokenId()
        + " was revoked: the calls made with it are ended");
    assertThat(took).isLessThan(WITHIN);
    assertNoCallRegistered();
    Eventually.await("the subscription is closed on the server", Duration.ofSeconds(5),
        () -> MetricValues.gauge(other.app().metrics().registry(), "tickvault_subscriptions_open") == 0);
    // Told as a refusal, to the audit trail and the metrics alike.
    assertThat(unauthenticatedRefusals(other) - refusalsBefore).isEqualTo(1);
  }

  private static double unauthenticatedRefusals(TestServer server) {
    return MetricValues.counter(server.app().metrics().registry(), "tickvault_auth_refusals_total", "reason", "unauthenticated");
  }

  @Test
  void anIngestStreamOnB_endsWhenItsTokenIsRevoked_whatItAcknowledgedIsStored_andSendingAllAgainStoresEachOnce()
      throws Exception {
    CreateTokenResponse created = create(Permission.PERMISSION_MARKET_DATA_WRITE, 0);
    String token = awaitAccepted(replicas.b(), created);
    Writer writer = Writer.start(Bearer.channel(replicas.b().channel(), token), 3);
    Eventually.await("a few requests acknowledged", Duration.ofSeconds(30), () -> writer.acked() >= 5);

    revoke(created);
    long revokedAt = System.nanoTime();
    Status end = writer.end().get(5, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(WITHIN);
    assertThat(end.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(end.getDescription()).contains("was revoked");

    List<List<Trade>> sent = writer.sent();
    long ackedInserted = writer.ackedInserted();
    long storedBefore = stored(3);
    // Every acknowledged trade is stored; a request being written as the call ended may be too.
    assertThat(storedBefore).isGreaterThanOrEqualTo(ackedInserted).isLessThanOrEqualTo(Writer.PER_REQUEST * sent.size());
    String another = awaitAccepted(replicas.b(), create(Permission.PERMISSION_MARKET_DATA_WRITE, 0));
    List<IngestTradesAck> again = TradeCalls.stream(Bearer.channel(replicas.b().channel(), another), sent);
    long inserted = again.stream().mapToLong(IngestTradesAck::getInserted).sum();
    long duplicates = again.stream().mapToLong(IngestTradesAck::getDuplicates).sum();
    // What was stored before is refused as duplicates now; so may be the request that was being
    // written as the call ended, if its transaction committed after storedBefore was read.
    assertThat(duplicates).isGreaterThanOrEqualTo(storedBefore);
    assertThat(inserted + duplicates).isEqualTo(Writer.PER_REQUEST * sent.size());
    assertThat(stored(3)).isEqualTo(Writer.PER_REQUEST * sent.size());
    assertNoCallRegistered();
  }

  @Test
  void aReadTradesStreamWaitingForItsClient_endsWhenItsTokenIsRevoked_andGivesBackItsPages() throws Exception {
    List<Trade> stored = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      stored.add(QueryCalls.trade(1, 5, "r-" + i, TradeCalls.TIME + i, "60000." + (i % 97), "0.01"));
    }
    QueryCalls.ingestTrades(Bearer.channel(replicas.a().channel(), ADMIN), stored);
    CreateTokenResponse created = create(Permission.PERMISSION_MARKET_DATA_READ, 0);
    String token = awaitAccepted(replicas.b(), created);
    // One page asked for: the stream then waits for its client, holding what it fetched ahead.
    PageReader reader = PageReader.start(Bearer.channel(replicas.b().channel(), token), ReadTradesRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(5).setStartTimeMs(TradeCalls.TIME).setEndTimeMs(TradeCalls.TIME + 5_000)
        .setPageSize(10).build());
    Eventually.await("the first page", Duration.ofSeconds(10), () -> reader.pages() > 0);
    assertThat(replicas.b().app().openCallsWithStoredTokens()).isEqualTo(1);

    revoke(created);
    reader.takeTheRest();
    Status end = reader.end().get(5, TimeUnit.SECONDS);
    assertThat(end.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(end.getDescription()).contains("was revoked");
    assertThat(reader.pages()).isLessThan(500);
    assertNoCallRegistered();
    Eventually.await("the pages fetched ahead are given back", Duration.ofSeconds(5),
        () -> MetricValues.gauge(replicas.b().app().metrics().registry(), "tickvault_read_buffer_bytes", "state", "used") == 0);
  }

  @Test
  void aSubscriptionEndsUnauthenticated_withinOneSecondOfItsTokensExpiry() throws Exception {
    long expiresAt = System.currentTimeMillis() + 3_000;
    CreateTokenResponse created = create(Permission.PERMISSION_MARKET_DATA_READ, expiresAt);
    String token = awaitAccepted(replicas.b(), created);
    Subscription subscription = Subscription.start(Bearer.channel(replicas.b().channel(), token), 4);
    Eventually.await("the subscription has caught up", Duration.ofSeconds(10), subscription::caughtUp);

    Status end = subscription.end().get(10, TimeUnit.SECONDS);
    long endedAt = System.currentTimeMillis();
    assertThat(end.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(end.getDescription()).isEqualTo("token " + created.getInfo().getTokenId()
        + " expired: the calls made with it are ended");
    assertThat(endedAt).isBetween(expiresAt, expiresAt + WITHIN.toMillis());
    assertNoCallRegistered();
  }

  @Test
  void callsThatEndOnTheirOwn_leaveNothingRegistered() throws Exception {
    CreateTokenResponse created = create(Permission.PERMISSION_MARKET_DATA_READ, 0);
    String token = awaitAccepted(replicas.b(), created);
    Channel channel = Bearer.channel(replicas.b().channel(), token);
    for (int i = 0; i < 50; i++) {
      AuthServiceGrpc.newBlockingStub(channel).whoAmI(WhoAmIRequest.getDefaultInstance());
    }
    List<Subscription> cancelled = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      cancelled.add(Subscription.start(channel, 1));
    }
    Eventually.await("every subscription has caught up", Duration.ofSeconds(10),
        () -> cancelled.stream().allMatch(Subscription::caughtUp));
    assertThat(replicas.b().app().openCallsWithStoredTokens()).isEqualTo(20);
    cancelled.forEach(Subscription::cancel);
    assertNoCallRegistered();
  }

  private static void assertNoCallRegistered() {
    for (TestServer server : List.of(replicas.a(), replicas.b(), replicas.withoutRedis())) {
      Eventually.await("no call is registered any more", Duration.ofSeconds(5),
          () -> server.app().openCallsWithStoredTokens() == 0);
    }
  }

  private static long stored(int pairNo) {
    return replicas.a().database().jdbc().queryOne("SELECT count(*) FROM trades WHERE exchange_id = 1 AND currency_pair_no = ?",
        row -> row.getLong(1), pairNo).orElseThrow();
  }

  private static CreateTokenResponse create(Permission permission, long expiresAtMs) {
    return TokenAdminServiceGrpc.newBlockingStub(Bearer.channel(replicas.a().channel(), ADMIN)).createToken(
        CreateTokenRequest.newBuilder().setName("fleet").addPermissions(permission).setExpiresAtMs(expiresAtMs).build());
  }

  private static void revoke(CreateTokenResponse created) {
    TokenAdminServiceGrpc.newBlockingStub(Bearer.channel(replicas.a().channel(), ADMIN))
        .revokeToken(RevokeTokenRequest.newBuilder().setTokenId(created.getInfo().getTokenId()).build());
  }

  private static String awaitAccepted(TestServer server, CreateTokenResponse created) {
    Channel channel = Bearer.channel(server.channel(), created.getToken());
    Eventually.await("the new token is accepted", Duration.ofSeconds(5), () -> {
      try {
        AuthServiceGrpc.newBlockingStub(channel).whoAmI(WhoAmIRequest.getDefaultInstance());
        return true;
      } catch (RuntimeException refused) {
        return false;
      }
    });
    return created.getToken();
  }

  /** A SubscribeTrades call from the start of a market's trades: how it ended, once it has. */
  private static final class Subscription extends Responses<SubscribeTradesResponse>
      implements ClientResponseObserver<SubscribeTradesRequest, SubscribeTradesResponse> {
    private volatile boolean caughtUp;
    private ClientCallStreamObserver<SubscribeTradesRequest> call;

    static Subscription start(Channel channel, int pairNo) {
      Subscription subscription = new Subscription();
      QueryServiceGrpc.newStub(channel).subscribeTrades(SubscribeTradesRequest.newBuilder()
          .setStartTimeMs(TradeCalls.TIME).addMarkets(MarketRef.newBuilder().setExchangeId(1).setCurrencyPairNo(pairNo))
          .build(), subscription);
      return subscription;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SubscribeTradesRequest> requestStream) {
      call = requestStream;
    }

    @Override
    public void onNext(SubscribeTradesResponse response) {
      caughtUp |= response.getCaughtUp();
    }

    boolean caughtUp() {
      return caughtUp;
    }

    void cancel() {
      call.cancel("the test is done", null);
    }
  }

  /** A ReadTrades call that takes one page, then the rest when told. */
  private static final class PageReader extends Responses<ReadTradesResponse>
      implements ClientResponseObserver<ReadTradesRequest, ReadTradesResponse> {
    private final AtomicInteger pages = new AtomicInteger();
    private ClientCallStreamObserver<ReadTradesRequest> call;

    static PageReader start(Channel channel, ReadTradesRequest request) {
      PageReader reader = new PageReader();
      QueryServiceGrpc.newStub(channel).readTrades(request, reader);
      return reader;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ReadTradesRequest> requestStream) {
      call = requestStream;
      call.disableAutoRequestWithInitial(1);
    }

    void takeTheRest() {
      call.request(Integer.MAX_VALUE);
    }

    @Override
    public void onNext(ReadTradesResponse page) {
      pages.incrementAndGet();
    }

    int pages() {
      return pages.get();
    }
  }

  /** A StreamTrades call that sends its next request as each one is acknowledged, until it ends. */
  private static final class Writer extends Responses<IngestTradesAck> {
    static final int PER_REQUEST = 200;
    private final int pairNo;
    private final List<List<Trade>> sent = new ArrayList<>();
    private StreamObserver<StreamTradesRequest> requests;
    private long acked;
    private long ackedInserted;

    private Writer(int pairNo) {
      this.pairNo = pairNo;
    }

    static Writer start(Channel channel, int pairNo) {
      Writer writer = new Writer(pairNo);
      synchronized (writer) {
        writer.requests = IngestServiceGrpc.newStub(channel).streamTrades(writer);
        writer.sendNext();
      }
      return writer;
    }

    private void sendNext() {
      List<Trade> request = new ArrayList<>();
      for (int i = 0; i < PER_REQUEST; i++) {
        long n = (long) sent.size() * PER_REQUEST + i;
        request.add(TradeCalls.trade(1, pairNo, "w-" + n, "60000." + (n % 97), "0.0" + (1 + n % 9)));
      }
      sent.add(request);
      requests.onNext(StreamTradesRequest.newBuilder().addAllTrades(request).build());
    }

    @Override
    public synchronized void onNext(IngestTradesAck ack) {
      acked++;
      ackedInserted += ack.getInserted();
      if (!end().isDone()) {
        sendNext();
      }
    }

    synchronized long acked() {
      return acked;
    }

    synchronized long ackedInserted() {
      return ackedInserted;
    }

    synchronized List<List<Trade>> sent() {
      return new ArrayList<>(sent);
    }
  }
}
