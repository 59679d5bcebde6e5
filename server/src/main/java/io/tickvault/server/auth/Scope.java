package io.tickvault.server.auth;

import java.util.List;
import java.util.Set;

/**
 * Which users and exchanges a token reaches. Each axis left empty is open. A user is in scope when
 * its id equals one of {@code userIds} or starts with one of {@code userIdPrefixes}, compared
 * exactly as strings: no globs, no case folding, no splitting on separators, so that a prefix
 * {@code "acme-"} reaches {@code "acme-7"} and never {@code "acme"} or {@code "acme_7"}.
 *
 * @param userIds user ids matched exactly
 * @param userIdPrefixes user id prefixes, matched by {@link String#startsWith} only
 * @param exchangeIds exchange ids
 */
public record Scope(Set<String> userIds, List<String> userIdPrefixes, Set<Integer> exchangeIds) {
  /** Every user and every exchange. */
  public static final Scope UNRESTRICTED = new Scope(Set.of(), List.of(), Set.of());

  public Scope {
    userIds = Set.copyOf(userIds);
    userIdPrefixes = List.copyOf(userIdPrefixes);
    exchangeIds = Set.copyOf(exchangeIds);
    if (userIdPrefixes.contains("")) {
      throw new IllegalArgumentException("an empty user id prefix would reach every user: leave the list empty instead");
    }
  }

  /** True when both axes are open. */
  public boolean isUnrestricted() {
    return allUsers() && allExchanges();
  }

  public boolean allUsers() {
    return userIds.isEmpty() && userIdPrefixes.isEmpty();
  }

  public boolean allExchanges() {
    return exchangeIds.isEmpty();
  }

  public boolean allowsUser(String userId) {
    if (allUsers() || userIds.contains(userId)) {
      return true;
    }
    for (String prefix : userIdPrefixes) {
      if (userId.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  public boolean allowsExchange(int exchangeId) {
    return allExchanges() || exchangeIds.contains(exchangeId);
  }
}
