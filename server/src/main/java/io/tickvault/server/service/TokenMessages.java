package io.tickvault.server.service;

import io.tickvault.api.v1.TokenInfo;
import io.tickvault.api.v1.TokenScope;
import io.tickvault.server.auth.Caller;
import io.tickvault.server.auth.Scope;
import io.tickvault.server.auth.StoredToken;
import io.tickvault.server.grpc.Permission;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Tokens between their protos ({@code tickvault.v1.TokenInfo}, {@code TokenScope}, {@code Permission}) and the server's side. */
final class TokenMessages {
  private TokenMessages() {}

  static TokenInfo info(StoredToken token) {
    return TokenInfo.newBuilder()
        .setTokenId(token.id())
        .setName(token.name())
        .addAllPermissions(permissions(token.permissions()))
        .setScope(scope(token.scope()))
        .setCreatedAtMs(token.createdAtMs())
        .setExpiresAtMs(token.expiresAtMs())
        .setRevokedAtMs(token.revokedAtMs())
        .setLastUsedAtMs(token.lastUsedAtMs())
        .build();
  }

  /** A caller no stored token describes: an environment token, or anonymous with authentication off. */
  static TokenInfo info(Caller caller) {
    return TokenInfo.newBuilder()
        .setTokenId(caller.tokenId())
        .setName(caller.name())
        .addAllPermissions(permissions(caller.permissions()))
        .setScope(scope(caller.scope()))
        .build();
  }

  static TokenScope scope(Scope scope) {
    return TokenScope.newBuilder()
        .addAllUserIds(scope.userIds().stream().sorted().toList())
        .addAllUserIdPrefixes(scope.userIdPrefixes())
        .addAllExchangeIds(scope.exchangeIds().stream().sorted().toList())
        .build();
  }

  static Scope scope(TokenScope scope) {
    return new Scope(Set.copyOf(scope.getUserIdsList()), List.copyOf(scope.getUserIdPrefixesList()),
        Set.copyOf(scope.getExchangeIdsList()));
  }

  /** In the order of the enum. */
  static List<io.tickvault.api.v1.Permission> permissions(Collection<Permission> permissions) {
    return permissions.stream().sorted().map(p -> io.tickvault.api.v1.Permission.valueOf(p.protoName())).toList();
  }

  /** The server's permission of a proto value, or null for UNSPECIFIED and values this server does not know. */
  static Permission permission(io.tickvault.api.v1.Permission permission) {
    for (Permission p : Permission.values()) {
      if (p.protoName().equals(permission.name())) {
        return p;
      }
    }
    return null;
  }
}
