package io.tickvault.server.service;

import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.DeleteApiKeyRequest;
import io.tickvault.api.v1.DeleteApiKeyResponse;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.PutApiKeyResponse;
import io.tickvault.server.auth.Caller;
import io.tickvault.server.apikeys.ApiKeyCache;
import io.tickvault.server.apikeys.ApiKeyFields;
import io.tickvault.server.apikeys.ApiKeyRepository;
import io.tickvault.server.apikeys.ApiKeySecrets;
import io.tickvault.server.apikeys.StoredApiKey;
import io.tickvault.server.grpc.Errors;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.grpc.UnaryCalls;
import io.tickvault.server.market.MarketRepository;

/**
 * {@code tickvault.v1.ApiKeyAdminService}: every write commits to PostgreSQL first, then
 * invalidates the cache, so the next GetApiKeys on any server sees it.
 */
public final class ApiKeyAdminGrpcService extends ApiKeyAdminServiceGrpc.ApiKeyAdminServiceImplBase {
  private final ApiKeyRepository keys;
  private final MarketRepository markets;
  private final ApiKeySecrets secrets;
  private final ApiKeyCache cache;

  public ApiKeyAdminGrpcService(ApiKeyRepository keys, MarketRepository markets, ApiKeySecrets secrets, ApiKeyCache cache) {
    this.keys = keys;
    this.markets = markets;
    this.secrets = secrets;
    this.cache = cache;
  }

  @Override
  public void putApiKey(PutApiKeyRequest request, StreamObserver<PutApiKeyResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      FieldViolations violations = new FieldViolations();
      ApiKeyFields.requireText(violations, "user_id", request.getUserId(), ApiKeyFields.MAX_USER_ID);
      ApiKeyFields.requireExchangeId(violations, request.getExchangeId());
      ApiKeyFields.requireText(violations, "access_key", request.getAccessKey(), ApiKeyFields.MAX_ACCESS_KEY);
      ApiKeyFields.requireSecret(violations, request.getSecretKey());
      ApiKeyFields.requireAtMost(violations, "label", request.getLabel(), ApiKeyFields.MAX_LABEL);
      violations.throwIfAny();
      inScope(request.getUserId(), request.getExchangeId());
      if (!markets.exchangeExists(request.getExchangeId())) {
        throw Errors.invalidArgument("exchange_id", "exchange " + request.getExchangeId() + " is not registered: PutExchange first");
      }
      StoredApiKey sealed = secrets.seal(request.getUserId(), request.getExchangeId(), request.getAccessKey(),
          request.getSecretKey(), request.getLabel());
      ApiKeyRepository.PutResult result = keys.put(sealed);
      cache.invalidate(request.getUserId());
      return PutApiKeyResponse.newBuilder()
          .setCreated(result.created())
          .setUpdateTimeMs(result.updateTimeMs())
          .build();
    });
  }

  @Override
  public void deleteApiKey(DeleteApiKeyRequest request, StreamObserver<DeleteApiKeyResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      FieldViolations violations = new FieldViolations();
      ApiKeyFields.requireText(violations, "user_id", request.getUserId(), ApiKeyFields.MAX_USER_ID);
      ApiKeyFields.requireExchangeId(violations, request.getExchangeId());
      ApiKeyFields.requireText(violations, "access_key", request.getAccessKey(), ApiKeyFields.MAX_ACCESS_KEY);
      violations.throwIfAny();
      inScope(request.getUserId(), request.getExchangeId());
      boolean deleted = keys.delete(request.getUserId(), request.getExchangeId(), request.getAccessKey());
      if (deleted) {
        cache.invalidate(request.getUserId());
      }
      return DeleteApiKeyResponse.newBuilder().setDeleted(deleted).build();
    });
  }

  /** Refused from the caller's scope alone, before any lookup: the same answer whether the key exists or not. */
  private static void inScope(String userId, int exchangeId) {
    Caller caller = Caller.current();
    caller.requireUser(userId);
    caller.requireExchange(exchangeId);
  }
}
