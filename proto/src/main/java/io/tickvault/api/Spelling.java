package io.tickvault.api;

import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;

/**
 * "Did you mean …?" for names a person typed (environment variables, flags): the server and the
 * CLI suggest by the same rule.
 */
public final class Spelling {
  /** Two edits catch a dropped, doubled or swapped letter without suggesting unrelated names. */
  public static final int MAX_EDITS = 2;

  private Spelling() {}

  /** The known name closest to {@code name}, if one is at most {@link #MAX_EDITS} edits away (first in order on a tie). */
  public static Optional<String> closest(String name, Collection<String> known) {
    String closest = null;
    int best = MAX_EDITS + 1;
    for (String candidate : new TreeSet<>(known)) {
      int d = distance(name, candidate);
      if (d < best) {
        best = d;
        closest = candidate;
      }
    }
    return Optional.ofNullable(closest);
  }

  /** Levenshtein distance: edits (insert, delete, replace) from a to b. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
