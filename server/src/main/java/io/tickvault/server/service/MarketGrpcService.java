package io.tickvault.server.service;

import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.ListCurrencyPairsResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutCurrencyPairResponse;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.api.v1.PutExchangeResponse;
import io.tickvault.server.auth.Caller;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.grpc.Errors;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.grpc.UnaryCalls;
import io.tickvault.server.market.KnownMarkets;
import io.tickvault.server.market.MarketRepository;
import java.util.regex.Pattern;

/** {@code tickvault.v1.MarketService}: registers exchanges and currency pairs, and lists them. */
public final class MarketGrpcService extends MarketServiceGrpc.MarketServiceImplBase {
  private static final Pattern EXCHANGE_CODE = Pattern.compile("[a-z0-9_-]{1,32}");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z0-9]{1,16}");
  /** The largest exchange id, as market.proto promises: exchange ids fit a smallint. */
  public static final int MAX_EXCHANGE_ID = Short.MAX_VALUE;

  private final MarketRepository markets;
  private final KnownMarkets known;

  public MarketGrpcService(MarketRepository markets, KnownMarkets known) {
    this.markets = markets;
    this.known = known;
  }

  @Override
  public void putExchange(PutExchangeRequest request, StreamObserver<PutExchangeResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Caller.current().requireExchange(request.getExchangeId());
      FieldViolations violations = new FieldViolations();
      requireExchangeId(violations, request.getExchangeId());
      if (!EXCHANGE_CODE.matcher(request.getCode()).matches()) {
        violations.add("code", request.getCode().isEmpty()
            ? "is required"
            : "must be 1 to 32 lower case letters, digits, '_' or '-'");
      }
      violations.throwIfAny();
      markets.exchangeIdByCode(request.getCode())
          .filter(id -> id != request.getExchangeId())
          .ifPresent(id -> {
            throw Errors.invalidArgument("code", "'" + request.getCode() + "' is already the code of exchange " + id);
          });
      boolean created = markets.putExchange(request.getExchangeId(), request.getCode());
      known.forgetMisses();
      return PutExchangeResponse.newBuilder().setCreated(created).build();
    });
  }

  @Override
  public void putCurrencyPair(PutCurrencyPairRequest request, StreamObserver<PutCurrencyPairResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Caller.current().requireExchange(request.getExchangeId());
      FieldViolations violations = new FieldViolations();
      requireExchangeId(violations, request.getExchangeId());
      requirePositive(violations, "currency_pair_no", request.getCurrencyPairNo());
      requireCurrency(violations, "base_currency", request.getBaseCurrency());
      requireCurrency(violations, "quote_currency", request.getQuoteCurrency());
      violations.throwIfAny();
      if (!markets.exchangeExists(request.getExchangeId())) {
        throw Errors.invalidArgument("exchange_id", "exchange " + request.getExchangeId() + " is not registered: PutExchange first");
      }
      boolean created = markets.putCurrencyPair(request.getExchangeId(), request.getCurrencyPairNo(),
          request.getBaseCurrency(), request.getQuoteCurrency());
      known.forgetMisses(); // records for this pair sent right after are accepted
      return PutCurrencyPairResponse.newBuilder().setCreated(created).build();
    });
  }

  @Override
  public void listCurrencyPairs(ListCurrencyPairsRequest request, StreamObserver<ListCurrencyPairsResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      if (request.getExchangeId() < 0) {
        throw Errors.invalidArgument("exchange_id", "must be 0 (every exchange) or positive, got " + request.getExchangeId());
      }
      Caller caller = Caller.current();
      if (request.getExchangeId() != 0) {
        caller.requireExchange(request.getExchangeId());
      }
      // Every exchange: those in the scope.
      Scope scope = caller.scope();
      return ListCurrencyPairsResponse.newBuilder()
          .addAllCurrencyPairs(markets.listCurrencyPairs(request.getExchangeId()).stream()
              .filter(p -> scope.allowsExchange(p.getExchangeId())).toList())
          .addAllExchanges(markets.listExchanges(request.getExchangeId()).stream()
              .filter(e -> scope.allowsExchange(e.getExchangeId())).toList())
          .build();
    });
  }

  private static void requireExchangeId(FieldViolations violations, int exchangeId) {
    if (exchangeId > MAX_EXCHANGE_ID) {
      violations.add("exchange_id", "must be 1 to " + MAX_EXCHANGE_ID + ", got " + exchangeId);
    } else {
      requirePositive(violations, "exchange_id", exchangeId);
    }
  }

  private static void requirePositive(FieldViolations violations, String field, int value) {
    if (value <= 0) {
      violations.add(field, value == 0 ? "is required" : "must be positive, got " + value);
    }
  }

  private static void requireCurrency(FieldViolations violations, String field, String value) {
    if (!CURRENCY.matcher(value).matches()) {
      violations.add(field, value.isEmpty()
          ? "is required"
          : "must be 1 to 16 upper case letters or digits, got '" + value + "'");
    }
  }
}
