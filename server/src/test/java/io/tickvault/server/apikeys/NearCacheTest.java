package io.tickvault.server.apikeys;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class NearCacheTest {
  private static final List<StoredApiKey> KEYS = List.of(new StoredApiKey("u", 1, "AK", new byte[] {1}, "k", "", 1));

  private final MutableClock clock = new MutableClock();
  private final AtomicBoolean live = new AtomicBoolean(true);
  private final NearCache cache = new NearCache(Duration.ofMillis(500), clock, live::get);

  @Test
  void entry_isServedUntilItsTtlThenDropped() {
    cache.put("u", KEYS, cache.epoch());

    clock.advance(Duration.ofMillis(499));
    assertThat(cache.get("u")).isSameAs(KEYS);
    clock.advance(Duration.ofMillis(1));
    assertThat(cache.get("u")).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void invalidation_dropsTheUsersEntryOnly() {
    cache.put("u", KEYS, cache.epoch());
    cache.put("v", KEYS, cache.epoch());

    cache.invalidate("u");

    assertThat(cache.get("u")).isNull();
    assertThat(cache.get("v")).isSameAs(KEYS);
  }

  @Test
  void fetchThatRacedWithAnInvalidation_isNotCached() {
    long epochBeforeFetch = cache.epoch();
    cache.invalidate("u"); // a write committed while the fetch was on its way

    cache.put("u", KEYS, epochBeforeFetch);

    assertThat(cache.get("u")).isNull();
  }

  @Test
  void withoutLiveInvalidations_nothingIsServedOrStoredAndTheCacheEmpties() {
    cache.put("u", KEYS, cache.epoch());

    live.set(false);
    assertThat(cache.get("u")).isNull();
    cache.put("v", KEYS, cache.epoch());
    assertThat(cache.size()).isZero();

    live.set(true);
    assertThat(cache.get("u")).isNull(); // emptied while not live: messages may have been missed
  }
}
