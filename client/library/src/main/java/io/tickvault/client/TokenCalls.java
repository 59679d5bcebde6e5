package io.tickvault.client;

import io.grpc.Channel;
import io.tickvault.api.v1.AuthServiceGrpc;
import io.tickvault.api.v1.CreateTokenRequest;
import io.tickvault.api.v1.CreateTokenResponse;
import io.tickvault.api.v1.ListTokensRequest;
import io.tickvault.api.v1.ListTokensResponse;
import io.tickvault.api.v1.Permission;
import io.tickvault.api.v1.RevokeTokenRequest;
import io.tickvault.api.v1.TokenAdminServiceGrpc;
import io.tickvault.api.v1.TokenInfo;
import io.tickvault.api.v1.TokenScope;
import io.tickvault.api.v1.WhoAmIRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Tokens through {@link TickvaultClient#tokens()}: what the client's own token may do, and for a
 * token with {@code PERMISSION_TOKENS_ADMIN} the stored tokens (docs/security.md). The calls get
 * the client's unary deadline; all but {@link #create} are retried on UNAVAILABLE (a create retried
 * could make two tokens).
 */
public final class TokenCalls {
  private final Channel channel;

  TokenCalls(Channel channel) {
    this.channel = channel;
  }

  /** The client's own token: its id, name, permissions, scope and times. */
  public TokenInfo whoAmI() {
    return AuthServiceGrpc.newBlockingStub(channel).whoAmI(WhoAmIRequest.getDefaultInstance()).getToken();
  }

  /**
   * Creates a token; the response's {@code token} is shown this once. A scope with empty lists (or
   * {@code TokenScope.getDefaultInstance()}) reaches every user and exchange the creator reaches.
   *
   * @param expiresAtMs when it stops being accepted, epoch milliseconds; 0 for never
   */
  public CreateTokenResponse create(String name, Collection<Permission> permissions, TokenScope scope, long expiresAtMs) {
    return TokenAdminServiceGrpc.newBlockingStub(channel).createToken(CreateTokenRequest.newBuilder()
        .setName(name).addAllPermissions(permissions).setScope(scope).setExpiresAtMs(expiresAtMs).build());
  }

  /** Revokes a token: every server refuses it within a second. Returns it as stored now. */
  public TokenInfo revoke(String tokenId) {
    return TokenAdminServiceGrpc.newBlockingStub(channel)
        .revokeToken(RevokeTokenRequest.newBuilder().setTokenId(tokenId).build()).getInfo();
  }

  /** One page of the stored tokens, oldest first; {@code pageToken} "" for the first. */
  public ListTokensResponse list(int pageSize, String pageToken) {
    return TokenAdminServiceGrpc.newBlockingStub(channel)
        .listTokens(ListTokensRequest.newBuilder().setPageSize(pageSize).setPageToken(pageToken).build());
  }

  /** Every stored token, oldest first, revoked and expired ones included. */
  public List<TokenInfo> listAll() {
    List<TokenInfo> all = new ArrayList<>();
    String pageToken = "";
    do {
      ListTokensResponse page = list(0, pageToken);
      all.addAll(page.getTokensList());
      pageToken = page.getNextPageToken();
    } while (!pageToken.isEmpty());
    return all;
  }
}
