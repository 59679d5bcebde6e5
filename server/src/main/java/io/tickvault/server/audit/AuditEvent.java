package io.tickvault.server.audit;

/**
 * What happened, as one audit record says it: who (the token's public id, never the token), from
 * where, which RPC, about which user and exchange, and how it ended. Never a secret. Text fields
 * are cut to {@link #MAX_TEXT} characters, so a record costs a bounded amount of memory and disk
 * whatever a caller sent (a refused request may carry a user id of any length), and what PostgreSQL
 * text cannot hold (NUL, a lone surrogate) becomes U+FFFD, so one odd request cannot fail the group
 * of records written with it.
 *
 * @param timeMs the server's clock, epoch milliseconds
 * @param tokenId the caller's token id; "" when no token identified it
 * @param peer the client's address as the transport gave it
 * @param method the full gRPC method name
 * @param userId the request's {@code user_id}, or ""
 * @param exchangeId the request's {@code exchange_id}, or 0
 * @param outcome the gRPC status code the call ended with ({@code OK}, {@code PERMISSION_DENIED}, ...)
 * @param subject the token the call acted on: the id RevokeToken was given, the id of the token
 *     CreateToken made; "" for every other call
 */
public record AuditEvent(long timeMs, String tokenId, String peer, String method, String userId, int exchangeId,
                         String outcome, String subject) {
  public static final int MAX_TEXT = 256;

  public AuditEvent {
    tokenId = cut(tokenId);
    peer = cut(peer);
    method = cut(method);
    userId = cut(userId);
    outcome = cut(outcome);
    subject = cut(subject);
  }

  /** An event about no token but the caller's. */
  public AuditEvent(long timeMs, String tokenId, String peer, String method, String userId, int exchangeId,
                    String outcome) {
    this(timeMs, tokenId, peer, method, userId, exchangeId, outcome, "");
  }

  /** About what the event holds in memory, for the bound on what waits to be written. */
  long bytes() {
    return 96 + 2L * (tokenId.length() + peer.length() + method.length() + userId.length() + outcome.length()
        + subject.length());
  }

  private static String cut(String text) {
    if (text == null) {
      return "";
    }
    int length = Math.min(text.length(), MAX_TEXT);
    StringBuilder clean = null;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      boolean paired = Character.isHighSurrogate(c) ? i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))
          : !Character.isLowSurrogate(c) || i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
      if (c == '\0' || !paired) {
        if (clean == null) {
          clean = new StringBuilder(text.substring(0, i));
        }
        clean.append('\uFFFD');
      } else if (clean != null) {
        clean.append(c);
      }
    }
    return clean != null ? clean.toString() : text.substring(0, length);
  }
}
