package io.tickvault.server.service;

import static io.tickvault.server.grpc.Permission.API_KEYS_READ;
import static io.tickvault.server.grpc.Permission.AUDIT_READ;
import static io.tickvault.server.grpc.Permission.API_KEYS_WRITE;
import static io.tickvault.server.grpc.Permission.MARKETS_WRITE;
import static io.tickvault.server.grpc.Permission.MARKET_DATA_READ;
import static io.tickvault.server.grpc.Permission.MARKET_DATA_WRITE;
import static io.tickvault.server.grpc.Permission.TOKENS_ADMIN;
import static io.tickvault.server.grpc.RpcRule.Access.OPEN;
import static io.tickvault.server.grpc.RpcRule.Access.REFLECTION;
import static io.tickvault.server.grpc.RpcRule.Access.TOKEN;
import static io.tickvault.server.grpc.RpcRule.Cost.CHEAP;
import static io.tickvault.server.grpc.RpcRule.Cost.HEAVY;
import static io.tickvault.server.grpc.RpcRule.Runs.DATABASE;
import static io.tickvault.server.grpc.RpcRule.Runs.EVENT_LOOP;
import static io.tickvault.server.grpc.RpcRule.Runs.TRANSPORT;

import io.grpc.MethodDescriptor;
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
import io.tickvault.server.grpc.RpcRule;
import io.tickvault.server.grpc.RpcRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One line per RPC: who may call it (the permission its token needs), whether it needs the primary database, where it runs, what it
 * may cost the database (docs/architecture.md). Adding an RPC means its feature, its
 * {@code .proto} and a line here; a served method without a line stops the server at start-up.
 */
public final class Rpcs {
  private Rpcs() {}

  public static RpcRules all() {
    List<RpcRule> rules = new ArrayList<>(List.of(
        // Answered from the API key cache while PostgreSQL is down; a near-cache hit on the event loop.
        RpcRule.of(ApiKeyServiceGrpc.getGetApiKeysMethod(), API_KEYS_READ, false, EVENT_LOOP, CHEAP),
        RpcRule.of(ApiKeyAdminServiceGrpc.getPutApiKeyMethod(), API_KEYS_WRITE, true, DATABASE, CHEAP),
        RpcRule.of(ApiKeyAdminServiceGrpc.getDeleteApiKeyMethod(), API_KEYS_WRITE, true, DATABASE, CHEAP),

        RpcRule.of(MarketServiceGrpc.getPutExchangeMethod(), MARKETS_WRITE, true, DATABASE, CHEAP),
        RpcRule.of(MarketServiceGrpc.getPutCurrencyPairMethod(), MARKETS_WRITE, true, DATABASE, CHEAP),
        RpcRule.of(MarketServiceGrpc.getListCurrencyPairsMethod(), MARKET_DATA_READ, true, DATABASE, CHEAP),

        // Streams hand their own writes to the database executor, a batch at a time.
        RpcRule.of(IngestServiceGrpc.getIngestTradesMethod(), MARKET_DATA_WRITE, true, TRANSPORT, CHEAP),
        RpcRule.of(IngestServiceGrpc.getStreamTradesMethod(), MARKET_DATA_WRITE, true, TRANSPORT, CHEAP),
        RpcRule.of(IngestServiceGrpc.getIngestOrderBooksMethod(), MARKET_DATA_WRITE, true, TRANSPORT, CHEAP),
        RpcRule.of(IngestServiceGrpc.getReportGapMethod(), MARKET_DATA_WRITE, true, DATABASE, CHEAP),

        // Reads go to a replica when one is configured, the market state to Redis first. Reads over
        // a range are heavy: a bounded share of the pool, so cheap calls never wait behind them.
        RpcRule.of(QueryServiceGrpc.getGetMarketStateMethod(), MARKET_DATA_READ, false, EVENT_LOOP, CHEAP),
        RpcRule.of(QueryServiceGrpc.getReadTradesMethod(), MARKET_DATA_READ, false, DATABASE, HEAVY),
        RpcRule.of(QueryServiceGrpc.getGetOrderBookMethod(), MARKET_DATA_READ, false, DATABASE, CHEAP),
        RpcRule.of(QueryServiceGrpc.getReadOrderBooksMethod(), MARKET_DATA_READ, false, DATABASE, HEAVY),
        RpcRule.of(QueryServiceGrpc.getGetCandlesMethod(), MARKET_DATA_READ, false, DATABASE, HEAVY),
        RpcRule.of(QueryServiceGrpc.getGetCoverageMethod(), MARKET_DATA_READ, false, DATABASE, HEAVY),
        RpcRule.of(QueryServiceGrpc.getListFeedsMethod(), MARKET_DATA_READ, false, DATABASE, CHEAP),
        // Three rows of the primary: what the deleters did, as committed.
        RpcRule.of(QueryServiceGrpc.getGetRetentionMethod(), MARKET_DATA_READ, true, DATABASE, CHEAP),
        // Reads the primary (the commit log and the trades in one snapshot); waits holding nothing.
        RpcRule.of(QueryServiceGrpc.getSubscribeTradesMethod(), MARKET_DATA_READ, true, DATABASE, HEAVY),
        // The same, with the order book commit log, headers and levels.
        RpcRule.of(QueryServiceGrpc.getSubscribeOrderBooksMethod(), MARKET_DATA_READ, true, DATABASE, HEAVY),

        RpcRule.of(TokenAdminServiceGrpc.getCreateTokenMethod(), TOKENS_ADMIN, true, DATABASE, CHEAP),
        RpcRule.of(TokenAdminServiceGrpc.getRevokeTokenMethod(), TOKENS_ADMIN, true, DATABASE, CHEAP),
        RpcRule.of(TokenAdminServiceGrpc.getListTokensMethod(), TOKENS_ADMIN, true, DATABASE, CHEAP),
        // Both walk audit_log on the primary: the records and the chains as they are written.
        RpcRule.of(AuditServiceGrpc.getReadAuditLogMethod(), AUDIT_READ, true, DATABASE, HEAVY),
        RpcRule.of(AuditServiceGrpc.getVerifyAuditLogMethod(), AUDIT_READ, true, DATABASE, HEAVY),

        // Any valid token may ask what it may do; answered from memory.
        RpcRule.of(AuthServiceGrpc.getWhoAmIMethod(), TOKEN, false, TRANSPORT, CHEAP)));
    every(rules, HealthGrpc.getServiceDescriptor(), OPEN);
    every(rules, io.grpc.reflection.v1.ServerReflectionGrpc.getServiceDescriptor(), REFLECTION);
    every(rules, io.grpc.reflection.v1alpha.ServerReflectionGrpc.getServiceDescriptor(), REFLECTION);
    return new RpcRules(rules);
  }

  /**
   * The RPCs whose answers carry a secret (a user's exchange keys, a new token): each answer leaves
   * only once its audit record is durable (docs/security.md).
   */
  public static Set<String> secretReads() {
    return names(ApiKeyServiceGrpc.getGetApiKeysMethod(), TokenAdminServiceGrpc.getCreateTokenMethod());
  }

  /** The admin writes that return no secret: each is recorded in the audit trail as it ends, whatever its outcome. */
  public static Set<String> auditedWrites() {
    return names(ApiKeyAdminServiceGrpc.getPutApiKeyMethod(), ApiKeyAdminServiceGrpc.getDeleteApiKeyMethod(),
        MarketServiceGrpc.getPutExchangeMethod(), MarketServiceGrpc.getPutCurrencyPairMethod(),
        TokenAdminServiceGrpc.getRevokeTokenMethod());
  }

  private static Set<String> names(MethodDescriptor<?, ?>... methods) {
    return Stream.of(methods).map(MethodDescriptor::getFullMethodName).collect(Collectors.toUnmodifiableSet());
  }

  /** Health and reflection: grpc-java's own services, no database, on the transport executor. */
  private static void every(List<RpcRule> rules, ServiceDescriptor service, RpcRule.Access access) {
    for (MethodDescriptor<?, ?> method : service.getMethods()) {
      rules.add(RpcRule.of(method, access, false, TRANSPORT, CHEAP));
    }
  }
}
