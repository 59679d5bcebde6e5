package io.tickvault.server.apikeys;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A small in-process cache in front of Redis, for the hottest path of the service. It is trusted
 * only while {@code live} says that invalidations are being received (the Redis pub/sub
 * subscription is up); otherwise it is emptied and bypassed. Entries live for a short TTL, which
 * bounds staleness even if an invalidation were lost without the subscription noticing.
 * Secrets stay encrypted here as in Redis.
 *
 * <p>An epoch counts invalidations: a caller reads it before fetching and stores only if no
 * invalidation happened since, so a fetch that raced with a write never re-caches the old keys.
 */
final class NearCache {
  static final Duration MAX_TTL = Duration.ofSeconds(1);
  static final int MAX_ENTRIES = 10_000;

  private record Entry(List<StoredApiKey> keys, long expiresAtMillis) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final long ttlMillis;
  private final Clock clock;
  private final BooleanSupplier live;

  NearCache(Duration ttl, Clock clock, BooleanSupplier live) {
    this.ttlMillis = Math.max(1, ttl.toMillis());
    this.clock = clock;
    this.live = live;
  }

  /** The epoch to pass to {@link #put} after fetching. */
  long epoch() {
    return epoch.get();
  }

  /** The cached keys, or null. */
  List<StoredApiKey> get(String userId) {
    if (!live.getAsBoolean()) {
      if (!entries.isEmpty()) {
        clear();
      }
      return null;
    }
    Entry entry = entries.get(userId);
    if (entry == null) {
      return null;
    }
    if (clock.millis() >= entry.expiresAtMillis()) {
      entries.remove(userId, entry);
      return null;
    }
    return entry.keys();
  }

  /** Caches the keys unless an invalidation happened since {@code epochSeen} was read. */
  void put(String userId, List<StoredApiKey> keys, long epochSeen) {
    if (!live.getAsBoolean() || epoch.get() != epochSeen) {
      return;
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear(); // crude but bounded; the hot users come back within a call
    }
    entries.put(userId, new Entry(keys, clock.millis() + ttlMillis));
    // An invalidation that bumped the epoch before this check also removes its entry after it:
    // either way the old keys do not stay.
    if (epoch.get() != epochSeen) {
      entries.remove(userId);
    }
  }

  void invalidate(String userId) {
    epoch.incrementAndGet();
    entries.remove(userId);
  }

  void clear() {
    epoch.incrementAndGet();
    entries.clear();
  }

  int size() {
    return entries.size();
  }
}
