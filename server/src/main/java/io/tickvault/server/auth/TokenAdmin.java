package io.tickvault.server.auth;

import io.tickvault.server.grpc.Permission;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creates, revokes and lists stored tokens: each change is committed to PostgreSQL, applied to this
 * server's memory at once and announced to the others.
 */
public final class TokenAdmin {
  /** A new token: {@code token} is the bearer token itself, shown once and never stored. */
  public record Created(String token, StoredToken info) {}

  private final AccessTokenRepository repository;
  private final AccessTokens tokens;
  private final TokenAnnouncements announcements;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public TokenAdmin(AccessTokenRepository repository, AccessTokens tokens, TokenAnnouncements announcements, Clock clock) {
    this.repository = repository;
    this.tokens = tokens;
    this.announcements = announcements;
    this.clock = clock;
  }

  public Created create(String name, Set<Permission> permissions, Scope scope, long expiresAtMs) {
    TokenFormat.Parts parts = TokenFormat.generate(random);
    StoredToken token = new StoredToken(parts.id(), name, permissions, scope, clock.millis(), expiresAtMs, 0, 0);
    byte[] hash = BearerTokens.sha256(parts.secret());
    repository.insert(token, hash);
    tokens.created(token, hash);
    announcements.created(token.id());
    return new Created(TokenFormat.format(parts), token);
  }

  /** The token as revoked; empty when no token has this id. */
  public Optional<StoredToken> revoke(String id) {
    Optional<StoredToken> revoked = repository.revoke(id, clock.millis());
    revoked.ifPresent(token -> {
      tokens.revoked(token.id());
      announcements.revoked(token.id());
    });
    return revoked;
  }

  /** A page of tokens, oldest first, with the last uses this server saw and has not written yet. */
  public List<StoredToken> page(long afterCreatedAtMs, String afterId, int limit) {
    return repository.page(afterCreatedAtMs, afterId, limit).stream()
        .map(t -> tokens.find(t.id()).map(known -> t.lastUsed(known.lastUsedAtMs())).orElse(t))
        .toList();
  }

  /** True when {@code id} has the form of a stored token's id. */
  public static boolean isStoredTokenId(String id) {
    return TokenFormat.isId(id);
  }
}
