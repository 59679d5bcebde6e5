package io.tickvault.server.auth;

import io.grpc.Status;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every stored token, in memory: a presented token is checked without any round trip, by its id
 * and the SHA-256 of its secret (compared in constant time), then its revocation and expiry (by
 * the injected clock, so an expiry is exact on every server). The copy is replaced whole by
 * {@link #reloadIfChanged()} and {@link #reload()}; a revocation this server learns of (its own, or
 * another's announced through Redis) applies at once and for good, whatever a reload that was
 * already under way brings back.
 */
public final class AccessTokens implements TokenVerifier {
  private record Entry(StoredToken token, byte[] secretSha256, Caller caller) {
    Entry(StoredToken token, byte[] secretSha256) {
      this(token, secretSha256, token.caller());
    }

    Entry with(StoredToken changed) {
      return new Entry(changed, secretSha256, caller);
    }
  }

  /** A last use is kept to within this; it is written every few tens of seconds anyway. */
  static final long LAST_USE_RESOLUTION_MS = 1_000;

  private final AccessTokenRepository repository;
  private final Clock clock;
  private volatile Map<String, Entry> byId = Map.of();
  private volatile AccessTokenRepository.Fingerprint loaded;
  /** Ids known revoked: revocation is final, so a stale reload never brings one back. */
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();
  /** Last uses not written yet, by token id: written in batches ({@link #flushLastUse()}). */
  private final ConcurrentHashMap<String, Long> unwrittenUses = new ConcurrentHashMap<>();
  /** The calls in flight of each token, ended when it is revoked, expires or leaves the table. */
  private final OpenCalls openCalls = new OpenCalls(this::refusalOf);

  public AccessTokens(AccessTokenRepository repository, Clock clock) {
    this.repository = repository;
    this.clock = clock;
  }

  @Override
  public Optional<Caller> callerOf(String token) {
    Optional<TokenFormat.Parts> parts = TokenFormat.parse(token);
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    Entry entry = byId.get(parts.get().id());
    // Hashed even for an unknown id, so that the time taken does not tell which ids exist.
    byte[] presented = BearerTokens.sha256(parts.get().secret());
    if (entry == null || !MessageDigest.isEqual(entry.secretSha256(), presented)) {
      return Optional.empty();
    }
    long now = clock.millis();
    if (!entry.token().activeAt(now) || revoked.contains(entry.token().id())) {
      return Optional.empty();
    }
    noteUse(entry.token().id(), now);
    return Optional.of(entry.caller());
  }

  /**
   * Notes a use at most once a second per token: many calls at once with one token then only read
   * the map, instead of all writing the same entry.
   */
  private void noteUse(String id, long now) {
    Long noted = unwrittenUses.get(id);
    if (noted == null || now - noted >= LAST_USE_RESOLUTION_MS) {
      unwrittenUses.put(id, now);
    }
  }

  /** The token with this id as this server knows it, last use included. */
  public Optional<StoredToken> find(String id) {
    Entry entry = byId.get(id);
    if (entry == null) {
      return Optional.empty();
    }
    StoredToken token = entry.token();
    Long unwritten = unwrittenUses.get(id);
    return Optional.of(unwritten == null ? token : token.lastUsed(unwritten));
  }

  /**
   * Refuses the token from now on, on this server, at once: never waits, not even for a re-read of
   * the table that is waiting on the database. For revocations heard of from another server; the
   * next re-read brings the time of the revocation.
   */
  public void refuse(String id) {
    revoked.add(id); // before the calls are looked up: see OpenCalls.admit
    openCalls.end(id, revokedStatus(id));
  }

  /** A revocation this server made: refused at once, and shown revoked by {@link #find}. */
  void revoked(String id) {
    refuse(id);
    markRevoked(id);
  }

  private synchronized void markRevoked(String id) {
    Entry entry = byId.get(id);
    if (entry != null) {
      Map<String, Entry> next = new HashMap<>(byId);
      next.put(id, entry.with(entry.token().revoked(clock.millis())));
      byId = Map.copyOf(next);
    }
  }

  /** Adds a token this server just created, so that it is accepted here at once. */
  synchronized void created(StoredToken token, byte[] secretSha256) {
    Map<String, Entry> next = new HashMap<>(byId);
    next.put(token.id(), new Entry(token, secretSha256));
    byId = Map.copyOf(next);
  }

  /**
   * Re-reads the table when its fingerprint moved since the last read (one small aggregate query
   * otherwise); true when it read it.
   */
  public boolean reloadIfChanged() {
    AccessTokenRepository.Fingerprint now = repository.fingerprint();
    if (now.equals(loaded)) {
      return false;
    }
    load(now);
    return true;
  }

  /** Re-reads the whole table, whatever its fingerprint: at start-up, and now and then for edits made by hand. */
  public void reload() {
    load(repository.fingerprint());
  }

  // The fingerprint is read before the rows: a change committed in between is read now and seen
  // again as a change next time, never missed.
  private synchronized void load(AccessTokenRepository.Fingerprint fingerprint) {
    Map<String, Entry> next = new HashMap<>();
    for (AccessTokenRepository.Row row : repository.all()) {
      next.put(row.token().id(), new Entry(row.token(), row.secretSha256()));
      if (row.token().revokedAtMs() != 0) {
        revoked.add(row.token().id());
      }
    }
    byId = Map.copyOf(next);
    loaded = fingerprint;
    openCalls.endRefused(); // a revocation or a deletion read from the table, Redis having said nothing
  }

  /** The calls in flight made with stored tokens. */
  public OpenCalls openCalls() {
    return openCalls;
  }

  /** Why the calls made with this token must end now, if they must. */
  private Optional<Status> refusalOf(String id) {
    Entry entry = byId.get(id);
    if (revoked.contains(id) || entry != null && entry.token().revokedAtMs() != 0) {
      return Optional.of(revokedStatus(id));
    }
    if (entry == null) {
      return Optional.of(Status.UNAUTHENTICATED.withDescription("token " + id + " is no longer stored: "
          + "the calls made with it are ended"));
    }
    if (!entry.token().activeAt(clock.millis())) {
      return Optional.of(Status.UNAUTHENTICATED.withDescription("token " + id + " expired: "
          + "the calls made with it are ended"));
    }
    return Optional.empty();
  }

  private static Status revokedStatus(String id) {
    return Status.UNAUTHENTICATED.withDescription("token " + id + " was revoked: the calls made with it are ended");
  }

  /** Writes the last uses seen since the last flush, in one batch. */
  public void flushLastUse() {
    if (unwrittenUses.isEmpty()) {
      return;
    }
    Map<String, Long> batch = new HashMap<>(unwrittenUses);
    repository.recordLastUse(batch);
    // Keep what a later use put meanwhile; drop only what was written.
    batch.forEach(unwrittenUses::remove);
    wrote(batch);
  }

  private synchronized void wrote(Map<String, Long> lastUses) {
    Map<String, Entry> next = new HashMap<>(byId);
    lastUses.forEach((id, at) -> next.computeIfPresent(id, (k, e) -> e.with(e.token().lastUsed(at))));
    byId = Map.copyOf(next);
  }

  /** How many stored tokens this server holds in each state: active, expired, revoked (all three named). */
  public Map<String, Integer> countByState() {
    long now = clock.millis();
    Map<String, Integer> counts = new HashMap<>(Map.of("active", 0, "expired", 0, "revoked", 0));
    for (Entry entry : byId.values()) {
      StoredToken token = entry.token();
      String state = token.revokedAtMs() != 0 || revoked.contains(token.id()) ? "revoked"
          : token.activeAt(now) ? "active" : "expired";
      counts.merge(state, 1, Integer::sum);
    }
    return counts;
  }
}
