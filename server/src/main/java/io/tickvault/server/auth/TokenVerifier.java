package io.tickvault.server.auth;

import java.util.Optional;

/** Tells who a presented bearer token is, from memory only: it runs on every call. */
@FunctionalInterface
public interface TokenVerifier {
  /** The caller the token identifies, if it is known and accepted now. */
  Optional<Caller> callerOf(String token);

  /** A stored token, or else one of {@code other}'s (the environment's). */
  static TokenVerifier storedThen(AccessTokens stored, TokenVerifier other) {
    return token -> stored.callerOf(token).or(() -> other.callerOf(token));
  }
}
