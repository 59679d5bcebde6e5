package io.tickvault.server.auth;

import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.AuthServiceGrpc;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.CreateTokenRequest;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetMarketStateRequest;
import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.ListCurrencyPairsResponse;
import io.tickvault.api.v1.ListTokensRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.Permission;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.SubscribeOrderBooksRequest;
import io.tickvault.api.v1.SubscribeTradesRequest;
import io.tickvault.api.v1.MarketRef;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.api.v1.RevokeTokenRequest;
import io.tickvault.api.v1.TokenAdminServiceGrpc;
import io.tickvault.api.v1.TokenInfo;
import io.tickvault.api.v1.TokenScope;
import io.tickvault.api.v1.WhoAmIRequest;
import io.tickvault.server.testing.Bearer;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.TestServer;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scope matrix through the real server: stored tokens made with CreateToken, each call as the
 * token it carries.
 */
class ScopeEnforcementIT {
  static final String ADMIN = "admin-token-0123456789abcdef";

  @RegisterExtension
  static TestServer server = TestServer.inProcess()
      .configure(b -> b.authDisabled(false).adminTokens(List.of(ADMIN)));

  /** Keys read for alice, the users of prefix "acme-", on exchange 1 only. */
  static String keysReader;
  static String keysReaderId;

  @BeforeAll
  static void setUp() {
    Channel admin = as(ADMIN);
    TradeCalls.registerMarket(admin, 1, 1);
    TradeCalls.registerMarket(admin, 2, 1);
    for (String user : List.of("alice", "acme-7", "acme", "acme_7", "bob")) {
      for (int exchange : List.of(1, 2)) {
        ApiKeyAdminServiceGrpc.newBlockingStub(admin).putApiKey(PutApiKeyRequest.newBuilder().setUserId(user)
            .setExchangeId(exchange).setAccessKey("AK-" + user + "-" + exchange).setSecretKey("secret").build());
      }
    }
    var created = tokens(ADMIN).createToken(CreateTokenRequest.newBuilder().setName("keys eu")
        .addPermissions(Permission.PERMISSION_API_KEYS_READ)
        .setScope(TokenScope.newBuilder().addUserIds("alice").addUserIdPrefixes("acme-").addExchangeIds(1))
        .build());
    keysReader = created.getToken();
    keysReaderId = created.getInfo().getTokenId();
  }

  @Test
  void getApiKeys_inScopeByExactUserOrPrefix_onExchangesInScope() {
    assertThat(accessKeys("alice", 1)).containsExactly("AK-alice-1");
    assertThat(accessKeys("acme-7", 1)).containsExactly("AK-acme-7-1");
    // exchange_id 0: the exchanges in scope only.
    assertThat(accessKeys("alice", 0)).containsExactly("AK-alice-1");
  }

  @Test
  void getApiKeys_outOfScope_isPermissionDenied_theSameForAMissingUserAsForAnExistingOne() {
    StatusRuntimeException existing = keysError("bob", 1);
    StatusRuntimeException missing = keysError("nobody-at-all", 1);
    assertThat(existing.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(missing.getStatus().getCode()).isEqualTo(existing.getStatus().getCode());
    assertThat(missing.getStatus().getDescription()).isEqualTo(existing.getStatus().getDescription());
    assertThat(missing.getTrailers().keys()).isEqualTo(existing.getTrailers().keys());
    // Names that only look like the prefix or the user.
    for (String user : List.of("acme", "acme_7", "Acme-7", "alice2", " alice")) {
      assertThat(keysError(user, 1).getStatus()).as(user).extracting(Status::getCode, Status::getDescription)
          .containsExactly(Status.Code.PERMISSION_DENIED, existing.getStatus().getDescription());
    }
    assertThat(keysError("alice", 2).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void aTokenWithoutThePermission_isPermissionDeniedOnEveryOtherRpc() {
    Channel reader = as(keysReader);
    assertDenied(() -> ApiKeyAdminServiceGrpc.newBlockingStub(reader).putApiKey(PutApiKeyRequest.newBuilder()
        .setUserId("alice").setExchangeId(1).setAccessKey("AK").setSecretKey("s").build()));
    assertDenied(() -> MarketServiceGrpc.newBlockingStub(reader).listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()));
    assertDenied(() -> QueryServiceGrpc.newBlockingStub(reader).getMarketState(GetMarketStateRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).build()));
    assertDenied(() -> TokenAdminServiceGrpc.newBlockingStub(reader).listTokens(ListTokensRequest.getDefaultInstance()));
    assertDenied(() -> TradeCalls.ingest(reader, List.of(List.of(TradeCalls.trade(1)))));
  }

  @Test
  void ingestion_rejectsEachRecordAndClaimOutOfScopeOnItsOwn_andStoresItsNeighbours() {
    String writer = create("ingest ex1", TokenScope.newBuilder().addExchangeIds(1).build(),
        Permission.PERMISSION_MARKET_DATA_WRITE, Permission.PERMISSION_MARKET_DATA_READ);
    long t = TradeCalls.TIME;
    IngestTradesResponse response = TradeCalls.ingestWithClaims(as(writer), List.of(
            TradeCalls.trade(1, 1, "in-1", "100.5", "1"),
            TradeCalls.trade(2, 1, "out-1", "100.5", "1"),
            TradeCalls.trade(1, 1, "in-2", "100.5", "1")),
        List.of(claim(2, t, t + 1000), claim(1, t, t + 1000)));
    assertThat(response.getInserted()).isEqualTo(2);
    assertThat(response.getRejectionsList()).extracting(RejectedRecord::getIndex, RejectedRecord::getCode,
        RejectedRecord::getField).containsExactly(org.assertj.core.groups.Tuple.tuple(1L,
            RejectionReason.REJECTION_REASON_OUT_OF_SCOPE, "exchange_id"));
    assertThat(response.getCoverageStored()).isEqualTo(1);
    assertThat(response.getCoverageRejectionsList()).extracting(RejectedRecord::getIndex, RejectedRecord::getCode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, RejectionReason.REJECTION_REASON_OUT_OF_SCOPE));

    // Reads: out of scope refused, the listing of every exchange shows those in scope.
    Channel asWriter = as(writer);
    assertDenied(() -> QueryServiceGrpc.newBlockingStub(asWriter).readTrades(ReadTradesRequest.newBuilder()
        .setExchangeId(2).setCurrencyPairNo(1).setStartTimeMs(t).setEndTimeMs(t + 1000).build()).hasNext());
    assertThat(QueryServiceGrpc.newBlockingStub(asWriter).readTrades(ReadTradesRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).setStartTimeMs(t).setEndTimeMs(t + 1000).build()).next().getTradesCount())
        .isEqualTo(2);
    assertDenied(() -> QueryServiceGrpc.newBlockingStub(asWriter).subscribeTrades(SubscribeTradesRequest.newBuilder()
        .addMarkets(MarketRef.newBuilder().setExchangeId(1).setCurrencyPairNo(1))
        .addMarkets(MarketRef.newBuilder().setExchangeId(2).setCurrencyPairNo(1)).setStartTimeMs(t).build()).hasNext());
    assertDenied(() -> QueryServiceGrpc.newBlockingStub(asWriter).subscribeOrderBooks(SubscribeOrderBooksRequest
        .newBuilder().addMarkets(MarketRef.newBuilder().setExchangeId(2).setCurrencyPairNo(1)).setStartTimeMs(t).build())
        .hasNext());
    ListCurrencyPairsResponse pairs = MarketServiceGrpc.newBlockingStub(asWriter)
        .listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance());
    assertThat(pairs.getCurrencyPairsList()).allSatisfy(p -> assertThat(p.getExchangeId()).isEqualTo(1)).isNotEmpty();
    assertDenied(() -> MarketServiceGrpc.newBlockingStub(asWriter)
        .listCurrencyPairs(ListCurrencyPairsRequest.newBuilder().setExchangeId(2).build()));
  }

  @Test
  void aRevokedToken_isRefusedAtOnce_andAnExpiredOneFromItsExpiryOn() {
    String token = create("short", TokenScope.getDefaultInstance(), Permission.PERMISSION_API_KEYS_READ);
    String id = AuthServiceGrpc.newBlockingStub(as(token)).whoAmI(WhoAmIRequest.getDefaultInstance()).getToken().getTokenId();
    assertThat(accessKeys(token, "bob", 0)).hasSize(2);
    TokenInfo revoked = tokens(ADMIN).revokeToken(RevokeTokenRequest.newBuilder().setTokenId(id).build()).getInfo();
    assertThat(revoked.getRevokedAtMs()).isPositive();
    assertThat(rpcError(() -> accessKeys(token, "bob", 0)).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

    long expiresAt = System.currentTimeMillis() + 1_500;
    String expiring = tokens(ADMIN).createToken(CreateTokenRequest.newBuilder().setName("expiring")
        .addPermissions(Permission.PERMISSION_API_KEYS_READ).setExpiresAtMs(expiresAt).build()).getToken();
    assertThat(accessKeys(expiring, "bob", 0)).hasSize(2);
    Eventually.await("the token expired", Duration.ofSeconds(5), () -> System.currentTimeMillis() >= expiresAt);
    assertThat(rpcError(() -> accessKeys(expiring, "bob", 0)).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void whoAmI_tellsEachTokenWhatItMayDo_withoutItsSecret() {
    TokenInfo me = AuthServiceGrpc.newBlockingStub(as(keysReader)).whoAmI(WhoAmIRequest.getDefaultInstance()).getToken();
    assertThat(me.getTokenId()).isEqualTo(keysReaderId);
    assertThat(me.getPermissionsList()).containsExactly(Permission.PERMISSION_API_KEYS_READ);
    assertThat(me.getScope().getUserIdPrefixesList()).containsExactly("acme-");
    assertThat(me.toString()).doesNotContain(keysReader.substring(20));
    TokenInfo admin = AuthServiceGrpc.newBlockingStub(as(ADMIN)).whoAmI(WhoAmIRequest.getDefaultInstance()).getToken();
    assertThat(admin.getTokenId()).isEqualTo(BearerTokens.tokenId(Role.ADMIN, ADMIN));
    assertThat(admin.getPermissionsCount()).isEqualTo(Permission.values().length - 2); // no UNSPECIFIED, UNRECOGNIZED
  }

  @Test
  void aTokenCannotMintOneThatReachesFurther() {
    String tokenAdmin = create("token admin for acme", TokenScope.newBuilder().addUserIdPrefixes("acme-").build(),
        Permission.PERMISSION_TOKENS_ADMIN, Permission.PERMISSION_API_KEYS_READ);
    TokenAdminServiceGrpc.TokenAdminServiceBlockingStub limited = tokens(tokenAdmin);
    assertThat(limited.createToken(CreateTokenRequest.newBuilder().setName("narrower")
        .addPermissions(Permission.PERMISSION_API_KEYS_READ)
        .setScope(TokenScope.newBuilder().addUserIdPrefixes("acme-eu-").addUserIds("acme-1")).build()).getToken())
        .startsWith("tv_");
    assertDenied(() -> limited.createToken(CreateTokenRequest.newBuilder().setName("wider")
        .addPermissions(Permission.PERMISSION_API_KEYS_READ).build()));
    assertDenied(() -> limited.createToken(CreateTokenRequest.newBuilder().setName("another prefix")
        .addPermissions(Permission.PERMISSION_API_KEYS_READ)
        .setScope(TokenScope.newBuilder().addUserIdPrefixes("acm")).build()));
    assertDenied(() -> limited.createToken(CreateTokenRequest.newBuilder().setName("more permissions")
        .addPermissions(Permission.PERMISSION_API_KEYS_WRITE)
        .setScope(TokenScope.newBuilder().addUserIdPrefixes("acme-")).build()));
  }

  @Test
  void refusalsAreCountedByReason_andTokensByState() {
    var registry = server.app().metrics().registry();
    double scope = MetricValues.counter(registry, "tickvault_auth_refusals_total", "reason", "out_of_scope");
    double permission = MetricValues.counter(registry, "tickvault_auth_refusals_total", "reason", "no_permission");
    double unauthenticated = MetricValues.counter(registry, "tickvault_auth_refusals_total", "reason", "unauthenticated");
    keysError("bob", 1);
    assertDenied(() -> QueryServiceGrpc.newBlockingStub(as(keysReader)).getMarketState(GetMarketStateRequest.newBuilder()
        .setExchangeId(1).setCurrencyPairNo(1).build()));
    rpcError(() -> accessKeys("not-a-token-0123456789", "bob", 0));
    assertThat(MetricValues.counter(registry, "tickvault_auth_refusals_total", "reason", "out_of_scope")).isEqualTo(scope + 1);
    assertThat(MetricValues.counter(registry, "tickvault_auth_refusals_total", "reason", "no_permission"))
        .isEqualTo(permission + 1);
    assertThat(MetricValues.counter(registry, "tickvault_auth_refusals_total", "reason", "unauthenticated"))
        .isEqualTo(unauthenticated + 1);
    assertThat(MetricValues.gauge(registry, "tickvault_tokens", "state", "active")).isPositive();
  }

  @Test
  void aDumpOfTheDatabaseHoldsTheTokensIdsButNeitherTheTokensNorTheirSecrets() throws Exception {
    accessKeys("alice", 1); // used at least once, so its last use may be written too
    Process dump = new ProcessBuilder("pg_dump", "--data-only", "--table=access_tokens",
        server.database().url().substring("jdbc:".length())).redirectErrorStream(true).start();
    String text = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(dump.waitFor()).as(text).isZero();
    String secret = keysReader.substring(keysReader.lastIndexOf('_') + 1);
    assertThat(text).contains("COPY public.access_tokens").contains(keysReaderId)
        .doesNotContain(keysReader).doesNotContain(secret).doesNotContain(ADMIN);
  }

  private static CoverageClaim claim(int exchangeId, long from, long until) {
    return CoverageClaim.newBuilder().setExchangeId(exchangeId).setCurrencyPairNo(1).setFromTimeMs(from)
        .setUntilTimeMs(until).setChannel(io.tickvault.api.v1.Channel.CHANNEL_TRADES).build();
  }

  private static String create(String name, TokenScope scope, Permission... permissions) {
    return tokens(ADMIN).createToken(CreateTokenRequest.newBuilder().setName(name).addAllPermissions(List.of(permissions))
        .setScope(scope).build()).getToken();
  }

  private static void assertDenied(Runnable call) {
    assertThat(rpcError(call).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  private static List<String> accessKeys(String user, int exchange) {
    return accessKeys(keysReader, user, exchange);
  }

  private static List<String> accessKeys(String token, String user, int exchange) {
    return ApiKeyServiceGrpc.newBlockingStub(as(token)).getApiKeys(GetApiKeysRequest.newBuilder().setUserId(user)
        .setExchangeId(exchange).build()).getApiKeysList().stream().map(ApiKey::getAccessKey).toList();
  }

  private static StatusRuntimeException keysError(String user, int exchange) {
    return rpcError(() -> accessKeys(user, exchange));
  }

  private static TokenAdminServiceGrpc.TokenAdminServiceBlockingStub tokens(String token) {
    return TokenAdminServiceGrpc.newBlockingStub(as(token));
  }

  static Channel as(String token) {
    return Bearer.channel(server.channel(), token);
  }
}
