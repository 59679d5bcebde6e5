package io.tickvault.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The tokens of the environment, kept only as SHA-256 digests, each the caller of its preset
 * ({@link Role}). A presented token is hashed and compared with every digest in constant time
 * ({@link MessageDigest#isEqual}), without stopping at the first match, so neither the timing nor
 * the token's length tells a caller how close it came.
 */
public final class BearerTokens implements TokenVerifier {
  private record Entry(byte[] digest, Caller caller) {}

  private final List<Entry> entries;

  public BearerTokens(List<String> workerTokens, List<String> adminTokens) {
    List<Entry> all = new ArrayList<>();
    // Admins first: a token listed as both worker and admin is an admin.
    adminTokens.forEach(t -> all.add(entry(t, Role.ADMIN)));
    workerTokens.forEach(t -> all.add(entry(t, Role.WORKER)));
    this.entries = List.copyOf(all);
  }

  /** The caller the token identifies, if it is one of the environment's. */
  @Override
  public Optional<Caller> callerOf(String token) {
    byte[] digest = sha256(token);
    Caller found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest(), digest) && found == null) {
        found = entry.caller();
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * The stable id of an environment token, {@code env-worker-<first 8 hex digits of its SHA-256>}:
   * the same on every replica and across restarts, and 32 bits of a digest help no one guess a
   * token of 16 or more characters.
   */
  static String tokenId(Role role, String token) {
    return "env-" + role.name().toLowerCase(Locale.ROOT) + "-" + HexFormat.of().formatHex(sha256(token), 0, 4);
  }

  private static Entry entry(String token, Role role) {
    String variable = role == Role.ADMIN ? "TICKVAULT_ADMIN_TOKENS" : "TICKVAULT_WORKER_TOKENS";
    return new Entry(sha256(token), new Caller(tokenId(role, token), variable, role.permissions(), Scope.UNRESTRICTED));
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
