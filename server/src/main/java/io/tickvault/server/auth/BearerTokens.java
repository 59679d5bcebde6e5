package io.tickvault.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The configured tokens, kept only as SHA-256 digests. A presented token is hashed and compared
 * with every digest in constant time ({@link MessageDigest#isEqual}), without stopping at the
 * first match, so neither the timing nor the token's length tells a caller how close it came.
 */
public final class BearerTokens {
  private record Entry(byte[] digest, Role role) {}

  private final List<Entry> entries;

  public BearerTokens(List<String> workerTokens, List<String> adminTokens) {
    List<Entry> all = new ArrayList<>();
    workerTokens.forEach(t -> all.add(new Entry(sha256(t), Role.WORKER)));
    adminTokens.forEach(t -> all.add(new Entry(sha256(t), Role.ADMIN)));
    this.entries = List.copyOf(all);
  }

  /** The role of the token; a token listed as both worker and admin is an admin. */
  public Optional<Role> roleOf(String token) {
    byte[] digest = sha256(token);
    Role found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest(), digest) && found != Role.ADMIN) {
        found = entry.role();
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
