package io.tickvault.server.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.health.v1.HealthGrpc;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.AuditServiceGrpc;
import io.tickvault.api.v1.AuthServiceGrpc;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.TokenAdminServiceGrpc;
import io.tickvault.server.grpc.Permission;
import io.tickvault.server.grpc.RpcRule;
import io.tickvault.server.grpc.RpcRules;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RpcsTest {
  private static final List<ServiceDescriptor> TICKVAULT = List.of(ApiKeyServiceGrpc.getServiceDescriptor(),
      ApiKeyAdminServiceGrpc.getServiceDescriptor(), MarketServiceGrpc.getServiceDescriptor(),
      IngestServiceGrpc.getServiceDescriptor(), QueryServiceGrpc.getServiceDescriptor(),
      TokenAdminServiceGrpc.getServiceDescriptor(), AuthServiceGrpc.getServiceDescriptor(),
      AuditServiceGrpc.getServiceDescriptor());

  @Test
  void everyMethodOfEveryContractHasARule() {
    RpcRules rules = Rpcs.all();
    for (ServiceDescriptor service : TICKVAULT) {
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        assertThat(rules.of(method.getFullMethodName())).as(method.getFullMethodName()).isNotNull();
      }
    }
  }

  @Test
  void theAuditedRpcsAreDeclared_andTheSecretOnesAreApiKeysAndNewTokens() {
    RpcRules rules = Rpcs.all();
    assertThat(Rpcs.secretReads()).containsExactlyInAnyOrder(ApiKeyServiceGrpc.getGetApiKeysMethod().getFullMethodName(),
        TokenAdminServiceGrpc.getCreateTokenMethod().getFullMethodName());
    assertThat(Rpcs.auditedWrites()).doesNotContainAnyElementsOf(Rpcs.secretReads())
        .contains(ApiKeyAdminServiceGrpc.getPutApiKeyMethod().getFullMethodName());
    for (String method : Rpcs.auditedWrites()) {
      assertThat(rules.of(method)).as(method).isNotNull();
      assertThat(rules.of(method).needsPrimary()).as(method + " is a write").isTrue();
    }
  }

  @Test
  void eachRpcNeedsThePermissionOfWhatItDoes() {
    RpcRules rules = Rpcs.all();
    Map<MethodDescriptor<?, ?>, Permission> expected = Map.ofEntries(
        Map.entry(ApiKeyServiceGrpc.getGetApiKeysMethod(), Permission.API_KEYS_READ),
        Map.entry(ApiKeyAdminServiceGrpc.getPutApiKeyMethod(), Permission.API_KEYS_WRITE),
        Map.entry(ApiKeyAdminServiceGrpc.getDeleteApiKeyMethod(), Permission.API_KEYS_WRITE),
        Map.entry(MarketServiceGrpc.getPutExchangeMethod(), Permission.MARKETS_WRITE),
        Map.entry(MarketServiceGrpc.getPutCurrencyPairMethod(), Permission.MARKETS_WRITE),
        Map.entry(MarketServiceGrpc.getListCurrencyPairsMethod(), Permission.MARKET_DATA_READ),
        Map.entry(IngestServiceGrpc.getStreamTradesMethod(), Permission.MARKET_DATA_WRITE),
        Map.entry(IngestServiceGrpc.getIngestOrderBooksMethod(), Permission.MARKET_DATA_WRITE),
        Map.entry(IngestServiceGrpc.getReportGapMethod(), Permission.MARKET_DATA_WRITE),
        Map.entry(QueryServiceGrpc.getReadTradesMethod(), Permission.MARKET_DATA_READ),
        Map.entry(QueryServiceGrpc.getGetMarketStateMethod(), Permission.MARKET_DATA_READ),
        Map.entry(QueryServiceGrpc.getSubscribeTradesMethod(), Permission.MARKET_DATA_READ),
        Map.entry(QueryServiceGrpc.getSubscribeOrderBooksMethod(), Permission.MARKET_DATA_READ),
        Map.entry(TokenAdminServiceGrpc.getCreateTokenMethod(), Permission.TOKENS_ADMIN),
        Map.entry(TokenAdminServiceGrpc.getListTokensMethod(), Permission.TOKENS_ADMIN),
        Map.entry(AuditServiceGrpc.getReadAuditLogMethod(), Permission.AUDIT_READ),
        Map.entry(AuditServiceGrpc.getVerifyAuditLogMethod(), Permission.AUDIT_READ));
    expected.forEach((method, permission) -> {
      RpcRule rule = rules.of(method.getFullMethodName());
      assertThat(rule.access()).as(method.getFullMethodName()).isEqualTo(RpcRule.Access.TOKEN);
      assertThat(rule.needs()).as(method.getFullMethodName()).contains(permission);
    });
    assertThat(rules.of(AuthServiceGrpc.getWhoAmIMethod().getFullMethodName()).access()).isEqualTo(RpcRule.Access.TOKEN);
    assertThat(rules.of(AuthServiceGrpc.getWhoAmIMethod().getFullMethodName()).needs()).as("any valid token").isEmpty();
    assertThat(rules.of(HealthGrpc.getCheckMethod().getFullMethodName()).access()).isEqualTo(RpcRule.Access.OPEN);
    assertThat(rules.of(HealthGrpc.getCheckMethod().getFullMethodName()).needs()).isEmpty();
  }

  @Test
  void onlyACallThatNeedsATokenCanNeedAPermission() {
    assertThatThrownBy(() -> new RpcRule("x/Y", RpcRule.Access.OPEN, Optional.of(Permission.AUDIT_READ), false,
        RpcRule.Runs.TRANSPORT, RpcRule.Cost.CHEAP)).hasMessageContaining("only a call that needs a token");
  }

  @Test
  void readsOverARangeAreHeavy_lookupsAndWritesCheap() {
    RpcRules rules = Rpcs.all();
    for (MethodDescriptor<?, ?> heavy : List.of(QueryServiceGrpc.getReadTradesMethod(),
        QueryServiceGrpc.getReadOrderBooksMethod(), QueryServiceGrpc.getGetCandlesMethod(),
        QueryServiceGrpc.getGetCoverageMethod(), QueryServiceGrpc.getSubscribeTradesMethod(),
        QueryServiceGrpc.getSubscribeOrderBooksMethod())) {
      RpcRule rule = rules.of(heavy.getFullMethodName());
      assertThat(rule.cost()).as(heavy.getFullMethodName()).isEqualTo(RpcRule.Cost.HEAVY);
      assertThat(rule.cost().statementTimeout()).isPositive();
    }
    for (MethodDescriptor<?, ?> cheap : List.of(MarketServiceGrpc.getListCurrencyPairsMethod(),
        QueryServiceGrpc.getGetOrderBookMethod(), IngestServiceGrpc.getStreamTradesMethod(),
        IngestServiceGrpc.getReportGapMethod(), HealthGrpc.getCheckMethod())) {
      assertThat(rules.of(cheap.getFullMethodName()).cost()).as(cheap.getFullMethodName()).isEqualTo(RpcRule.Cost.CHEAP);
    }
  }

  @Test
  void aHeavyRpcOffTheDatabaseSide_isRefused() {
    assertThatThrownBy(() -> RpcRule.of(QueryServiceGrpc.getGetMarketStateMethod(), Permission.API_KEYS_READ, false,
        RpcRule.Runs.EVENT_LOOP, RpcRule.Cost.HEAVY)).hasMessageContaining("must run on the database executor");
  }

  @Test
  void aServedMethodWithoutARule_stopsStartUp() {
    RpcRules onlyOne = new RpcRules(List.of(RpcRule.of(ApiKeyServiceGrpc.getGetApiKeysMethod(), Permission.API_KEYS_READ,
        false, RpcRule.Runs.EVENT_LOOP, RpcRule.Cost.CHEAP)));
    ServerServiceDefinition market = ServerServiceDefinition.builder(MarketServiceGrpc.getServiceDescriptor())
        .addMethod(MarketServiceGrpc.getListCurrencyPairsMethod(), (call, headers) -> null)
        .addMethod(MarketServiceGrpc.getPutExchangeMethod(), (call, headers) -> null)
        .addMethod(MarketServiceGrpc.getPutCurrencyPairMethod(), (call, headers) -> null)
        .build();
    assertThatThrownBy(() -> onlyOne.requireDeclared(List.of(market)))
        .hasMessageContaining("no rule declared for tickvault.v1.MarketService/");
  }

  @Test
  void aMethodDeclaredTwice_isRefused() {
    RpcRule rule = RpcRule.of(ApiKeyServiceGrpc.getGetApiKeysMethod(), Permission.API_KEYS_READ, false, RpcRule.Runs.EVENT_LOOP,
        RpcRule.Cost.CHEAP);
    assertThatThrownBy(() -> new RpcRules(List.of(rule, rule))).hasMessageContaining("declared twice");
  }
}
