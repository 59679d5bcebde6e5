package io.tickvault.server.service;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetApiKeysResponse;
import io.tickvault.server.apikeys.ApiKeyCache;
import io.tickvault.server.apikeys.ApiKeyFields;
import io.tickvault.server.apikeys.ApiKeySecrets;
import io.tickvault.server.apikeys.StoredApiKey;
import io.tickvault.server.auth.Caller;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.crypto.SecretDecryptionException;
import io.tickvault.server.grpc.BlockingCalls;
import io.tickvault.server.grpc.Errors;
import io.tickvault.server.grpc.FieldViolations;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code tickvault.v1.ApiKeyService}: a user's keys, through the cache, secrets decrypted for the answer only. */
public final class ApiKeyGrpcService extends ApiKeyServiceGrpc.ApiKeyServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(ApiKeyGrpcService.class);

  private final ApiKeyCache cache;
  private final ApiKeySecrets secrets;
  private final BlockingCalls blocking;

  public ApiKeyGrpcService(ApiKeyCache cache, ApiKeySecrets secrets, BlockingCalls blocking) {
    this.cache = cache;
    this.secrets = secrets;
    this.blocking = blocking;
  }

  /**
   * A near-cache hit is answered on the thread that received the call (no hand-off); anything
   * else (Redis, PostgreSQL, a secret that did not decrypt) on the database executor.
   */
  @Override
  public void getApiKeys(GetApiKeysRequest request, StreamObserver<GetApiKeysResponse> observer) {
    GetApiKeysResponse near;
    Scope scope;
    try {
      validate(request);
      scope = inScope(request);
      near = nearAnswer(request, scope);
    } catch (RuntimeException e) {
      observer.onError(Errors.toStatus(e));
      return;
    }
    if (near != null) {
      observer.onNext(near);
      observer.onCompleted();
      return;
    }
    blocking.respond(observer, () -> lookup(request, scope));
  }

  /**
   * The caller's scope, once the user and the exchange asked for are known to be in it: refused
   * from the scope alone, before any lookup, so a user outside it gets the same answer whether it
   * exists or not.
   */
  private static Scope inScope(GetApiKeysRequest request) {
    Caller caller = Caller.current();
    caller.requireUser(request.getUserId());
    if (request.getExchangeId() != 0) {
      caller.requireExchange(request.getExchangeId());
    }
    return caller.scope();
  }

  private static void validate(GetApiKeysRequest request) {
    FieldViolations violations = new FieldViolations();
    ApiKeyFields.requireText(violations, "user_id", request.getUserId(), ApiKeyFields.MAX_USER_ID);
    if (request.getExchangeId() < 0) {
      violations.add("exchange_id", "must be 0 (every exchange) or positive, got " + request.getExchangeId());
    }
    violations.throwIfAny();
  }

  /** The answer from the near cache, or null. A secret that does not decrypt is left to {@link #lookup}. */
  private GetApiKeysResponse nearAnswer(GetApiKeysRequest request, Scope scope) {
    List<StoredApiKey> keys = cache.nearHit(request.getUserId());
    if (keys == null) {
      return null;
    }
    try {
      return answer(keys, request.getExchangeId(), scope);
    } catch (SecretDecryptionException e) {
      return null;
    }
  }

  private GetApiKeysResponse lookup(GetApiKeysRequest request, Scope scope) {
    ApiKeyCache.Lookup lookup = cache.get(request.getUserId());
    try {
      return answer(lookup.keys(), request.getExchangeId(), scope);
    } catch (SecretDecryptionException e) {
      if (!lookup.fromCache()) {
        throw dataLoss(request.getUserId(), e);
      }
      // The cached entry may predate a re-encryption whose old key is gone: PostgreSQL decides.
      log.warn("API key cache: a cached secret of user '{}' did not decrypt ({}); reading PostgreSQL",
          request.getUserId(), e.getMessage());
      try {
        return answer(cache.loadFromDatabase(request.getUserId()), request.getExchangeId(), scope);
      } catch (SecretDecryptionException again) {
        throw dataLoss(request.getUserId(), again);
      }
    }
  }

  /** The keys of the exchange asked for; with exchange_id 0, of every exchange in the scope. */
  private GetApiKeysResponse answer(List<StoredApiKey> keys, int exchangeId, Scope scope) {
    GetApiKeysResponse.Builder response = GetApiKeysResponse.newBuilder();
    for (StoredApiKey key : keys) {
      if (exchangeId == 0 ? scope.allowsExchange(key.exchangeId()) : key.exchangeId() == exchangeId) {
        response.addApiKeys(secrets.open(key));
      }
    }
    return response.build();
  }

  private static RuntimeException dataLoss(String userId, SecretDecryptionException e) {
    // The reason (tag mismatch, unknown key id) goes to the log; never key material or plain text.
    log.error("a stored API key secret of user '{}' cannot be decrypted: {}", userId, e.getMessage());
    return Status.DATA_LOSS
        .withDescription("a stored API key secret cannot be decrypted (tampered, or its master key is not configured)")
        .asRuntimeException();
  }
}
