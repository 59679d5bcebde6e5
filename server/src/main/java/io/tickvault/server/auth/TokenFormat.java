package io.tickvault.server.auth;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The form of a stored token: {@code tv_<id>_<secret>}, the id 16 hex digits (64 random bits) and
 * the secret 64 hex digits (256 random bits). The id in clear finds the token without a scan; only
 * the SHA-256 of the secret is stored, which is enough for a secret nobody can guess.
 */
final class TokenFormat {
  static final String PREFIX = "tv_";
  private static final int ID_HEX = 16;
  private static final int SECRET_HEX = 64;
  private static final int LENGTH = PREFIX.length() + ID_HEX + 1 + SECRET_HEX;
  private static final HexFormat HEX = HexFormat.of();

  record Parts(String id, String secret) {}

  private TokenFormat() {}

  static Parts generate(SecureRandom random) {
    byte[] id = new byte[ID_HEX / 2];
    byte[] secret = new byte[SECRET_HEX / 2];
    random.nextBytes(id);
    random.nextBytes(secret);
    return new Parts(HEX.formatHex(id), HEX.formatHex(secret));
  }

  static String format(Parts parts) {
    return PREFIX + parts.id() + "_" + parts.secret();
  }

  /** The parts of a token of this form; empty for anything else (an environment token, garbage). */
  static Optional<Parts> parse(String token) {
    if (token.length() != LENGTH || !token.startsWith(PREFIX) || token.charAt(PREFIX.length() + ID_HEX) != '_') {
      return Optional.empty();
    }
    String id = token.substring(PREFIX.length(), PREFIX.length() + ID_HEX);
    String secret = token.substring(PREFIX.length() + ID_HEX + 1);
    return lowerHex(id) && lowerHex(secret) ? Optional.of(new Parts(id, secret)) : Optional.empty();
  }

  /** True when {@code id} could be a stored token's id (for RevokeToken's check of its argument). */
  static boolean isId(String id) {
    return id.length() == ID_HEX && lowerHex(id);
  }

  private static boolean lowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
