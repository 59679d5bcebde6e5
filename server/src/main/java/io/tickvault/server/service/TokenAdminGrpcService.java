package io.tickvault.server.service;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.CreateTokenRequest;
import io.tickvault.api.v1.CreateTokenResponse;
import io.tickvault.api.v1.ListTokensRequest;
import io.tickvault.api.v1.ListTokensResponse;
import io.tickvault.api.v1.RevokeTokenRequest;
import io.tickvault.api.v1.RevokeTokenResponse;
import io.tickvault.api.v1.TokenAdminServiceGrpc;
import io.tickvault.api.v1.TokenScope;
import io.tickvault.server.auth.Caller;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.auth.StoredToken;
import io.tickvault.server.auth.TokenAdmin;
import io.tickvault.server.grpc.Errors;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.grpc.Permission;
import io.tickvault.server.grpc.UnaryCalls;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code tickvault.v1.TokenAdminService}. A token made here never reaches further than the token
 * that made it: its permissions and its scope must be within the creator's, so a token
 * administrator limited to some users cannot mint one for all of them.
 */
public final class TokenAdminGrpcService extends TokenAdminServiceGrpc.TokenAdminServiceImplBase {
  static final int MAX_NAME = 128;
  static final int MAX_USER_ID = 128;
  static final int MAX_USER_IDS = 1000;
  static final int MAX_PREFIXES = 100;
  static final int MAX_EXCHANGE_IDS = 1000;
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;

  private final TokenAdmin admin;
  private final Clock clock;

  public TokenAdminGrpcService(TokenAdmin admin, Clock clock) {
    this.admin = admin;
    this.clock = clock;
  }

  @Override
  public void createToken(CreateTokenRequest request, StreamObserver<CreateTokenResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      FieldViolations violations = new FieldViolations();
      text(violations, "name", request.getName(), MAX_NAME);
      Set<Permission> permissions = permissions(violations, request);
      checkScope(violations, request.getScope());
      if (request.getExpiresAtMs() < 0 || request.getExpiresAtMs() != 0 && request.getExpiresAtMs() <= clock.millis()) {
        violations.add("expires_at_ms", "must be 0 (never) or a time in the future (epoch milliseconds), got "
            + request.getExpiresAtMs());
      }
      violations.throwIfAny();
      Scope scope = TokenMessages.scope(request.getScope());
      withinCreator(Caller.current(), permissions, scope);
      TokenAdmin.Created created = admin.create(request.getName(), permissions, scope, request.getExpiresAtMs());
      return CreateTokenResponse.newBuilder()
          .setToken(created.token())
          .setInfo(TokenMessages.info(created.info()))
          .build();
    });
  }

  @Override
  public void revokeToken(RevokeTokenRequest request, StreamObserver<RevokeTokenResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String id = request.getTokenId();
      if (id.isEmpty()) {
        throw Errors.invalidArgument("token_id", "is required");
      }
      if (!TokenAdmin.isStoredTokenId(id)) {
        throw Errors.invalidArgument("token_id", id.startsWith("env-")
            ? "an environment token is revoked by removing it from TICKVAULT_WORKER_TOKENS or TICKVAULT_ADMIN_TOKENS"
            : "must be the 16 hex digits of a stored token's id");
      }
      StoredToken revoked = admin.revoke(id).orElseThrow(() ->
          Status.NOT_FOUND.withDescription("no token has the id " + id).asRuntimeException());
      return RevokeTokenResponse.newBuilder().setInfo(TokenMessages.info(revoked)).build();
    });
  }

  @Override
  public void listTokens(ListTokensRequest request, StreamObserver<ListTokensResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      FieldViolations violations = new FieldViolations();
      int pageSize = request.getPageSize() == 0 ? DEFAULT_PAGE : request.getPageSize();
      if (pageSize < 1 || pageSize > MAX_PAGE) {
        violations.add("page_size", "must be 1 to " + MAX_PAGE + ", or 0 for " + DEFAULT_PAGE + ", got " + request.getPageSize());
      }
      After after = After.decode(violations, request.getPageToken());
      violations.throwIfAny();
      List<StoredToken> page = admin.page(after.createdAtMs(), after.id(), pageSize + 1);
      ListTokensResponse.Builder response = ListTokensResponse.newBuilder();
      page.stream().limit(pageSize).map(TokenMessages::info).forEach(response::addTokens);
      if (page.size() > pageSize) {
        StoredToken last = page.get(pageSize - 1);
        response.setNextPageToken(new After(last.createdAtMs(), last.id()).encode());
      }
      return response.build();
    });
  }

  private static Set<Permission> permissions(FieldViolations violations, CreateTokenRequest request) {
    Set<Permission> permissions = EnumSet.noneOf(Permission.class);
    if (request.getPermissionsCount() == 0) {
      violations.add("permissions", "at least one is required");
    }
    for (int i = 0; i < request.getPermissionsCount(); i++) {
      Permission p = TokenMessages.permission(request.getPermissions(i));
      if (p == null) {
        violations.add("permissions[" + i + "]", "must be a known permission other than PERMISSION_UNSPECIFIED, got "
            + request.getPermissionsValue(i));
      } else {
        permissions.add(p);
      }
    }
    return permissions;
  }

  private static void checkScope(FieldViolations violations, TokenScope scope) {
    if (scope.getUserIdsCount() > MAX_USER_IDS) {
      violations.add("scope.user_ids", "at most " + MAX_USER_IDS + " are allowed, got " + scope.getUserIdsCount());
    } else {
      for (int i = 0; i < scope.getUserIdsCount(); i++) {
        text(violations, "scope.user_ids[" + i + "]", scope.getUserIds(i), MAX_USER_ID);
      }
    }
    if (scope.getUserIdPrefixesCount() > MAX_PREFIXES) {
      violations.add("scope.user_id_prefixes", "at most " + MAX_PREFIXES + " are allowed, got "
          + scope.getUserIdPrefixesCount());
    } else {
      for (int i = 0; i < scope.getUserIdPrefixesCount(); i++) {
        text(violations, "scope.user_id_prefixes[" + i + "]", scope.getUserIdPrefixes(i), MAX_USER_ID);
      }
    }
    if (scope.getExchangeIdsCount() > MAX_EXCHANGE_IDS) {
      violations.add("scope.exchange_ids", "at most " + MAX_EXCHANGE_IDS + " are allowed, got " + scope.getExchangeIdsCount());
    } else {
      for (int i = 0; i < scope.getExchangeIdsCount(); i++) {
        if (scope.getExchangeIds(i) <= 0) {
          violations.add("scope.exchange_ids[" + i + "]", "must be positive, got " + scope.getExchangeIds(i));
        }
      }
    }
  }

  private static void text(FieldViolations violations, String field, String value, int max) {
    if (value.isEmpty()) {
      violations.add(field, "is required");
    } else if (value.length() > max) {
      violations.add(field, "must be at most " + max + " characters, got " + value.length());
    } else if (value.chars().anyMatch(Character::isISOControl)) {
      violations.add(field, "must not hold control characters");
    }
  }

  /** PERMISSION_DENIED unless the new token's permissions and scope are within the creator's. */
  private static void withinCreator(Caller creator, Set<Permission> permissions, Scope scope) {
    Set<Permission> beyond = EnumSet.copyOf(permissions);
    beyond.removeAll(creator.permissions());
    if (!beyond.isEmpty()) {
      throw Status.PERMISSION_DENIED.withDescription("permissions: a token cannot grant what its creator, token "
          + creator.tokenId() + ", does not have: " + TokenMessages.permissions(beyond)).asRuntimeException();
    }
    Scope mine = creator.scope();
    boolean usersWithin = mine.allUsers()
        || !scope.allUsers()
            && scope.userIds().stream().allMatch(mine::allowsUser)
            && scope.userIdPrefixes().stream().allMatch(p -> mine.userIdPrefixes().stream().anyMatch(p::startsWith));
    boolean exchangesWithin = mine.allExchanges()
        || !scope.allExchanges() && scope.exchangeIds().stream().allMatch(mine::allowsExchange);
    if (!usersWithin || !exchangesWithin) {
      throw Status.PERMISSION_DENIED.withDescription("scope: a token cannot reach further than its creator, token "
          + creator.tokenId()).asRuntimeException();
    }
  }

  /** Where a page of ListTokens starts: after the token created at {@code createdAtMs} with {@code id}. */
  private record After(long createdAtMs, String id) {
    static final After START = new After(0, "");

    String encode() {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString((createdAtMs + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    static After decode(FieldViolations violations, String token) {
      if (token.isEmpty()) {
        return START;
      }
      try {
        String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        String id = text.substring(colon + 1);
        if (colon > 0 && TokenAdmin.isStoredTokenId(id)) {
          return new After(Long.parseLong(text.substring(0, colon)), id);
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
      violations.add("page_token", "is not a next_page_token of ListTokens");
      return START;
    }
  }
}
