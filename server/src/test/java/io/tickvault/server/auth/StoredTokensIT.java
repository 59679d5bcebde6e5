package io.tickvault.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.grpc.Permission;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import io.tickvault.server.testing.MutableClock;
import io.tickvault.server.testing.TestDatabase;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stored tokens on a real PostgreSQL, as two servers sharing it see them without Redis: by the check
 * of the table's fingerprint alone.
 */
class StoredTokensIT {
  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  private final MutableClock clock = new MutableClock();
  private AccessTokenRepository repository;
  private AccessTokens replicaA;
  private AccessTokens replicaB;
  private TokenAdmin adminOnA;

  @BeforeEach
  void setUp() {
    database.truncate("access_tokens");
    repository = new AccessTokenRepository(database.jdbc());
    replicaA = new AccessTokens(repository, clock);
    replicaB = new AccessTokens(repository, clock);
    replicaA.reload();
    replicaB.reload();
    LazyRedisConnection<RedisConnection<String, byte[]>> noRedis = new LazyRedisConnection<>(() -> {
      throw new IllegalStateException("no Redis in this test");
    }, e -> {});
    adminOnA = new TokenAdmin(repository, replicaA, new TokenAnnouncements(replicaA, Runnable::run, noRedis), clock);
  }

  @Test
  void aCreatedToken_isItsCallerAtOnceOnItsServer_andOnAnotherAfterItsCheck() {
    Scope scope = new Scope(Set.of("alice"), List.of("acme-"), Set.of(2));
    TokenAdmin.Created created = adminOnA.create("fleet eu-1", EnumSet.of(Permission.API_KEYS_READ), scope, 0);
    assertThat(created.token()).matches("tv_[0-9a-f]{16}_[0-9a-f]{64}").contains(created.info().id());

    Caller caller = replicaA.callerOf(created.token()).orElseThrow();
    assertThat(caller.tokenId()).isEqualTo(created.info().id());
    assertThat(caller.name()).isEqualTo("fleet eu-1");
    assertThat(caller.permissions()).containsExactly(Permission.API_KEYS_READ);
    assertThat(caller.scope()).isEqualTo(scope);

    assertThat(replicaB.callerOf(created.token())).isEmpty();
    assertThat(replicaB.reloadIfChanged()).isTrue();
    assertThat(replicaB.callerOf(created.token()).orElseThrow().scope()).isEqualTo(scope);
    assertThat(replicaB.reloadIfChanged()).as("nothing changed since").isFalse();
  }

  @Test
  void aWrongSecretAnUnknownIdOrAnotherForm_isNoCaller() {
    String token = adminOnA.create("t", EnumSet.of(Permission.MARKET_DATA_READ), Scope.UNRESTRICTED, 0).token();
    String id = token.substring(3, 19);
    char last = token.charAt(token.length() - 1);
    assertThat(replicaA.callerOf(token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a'))).isEmpty();
    assertThat(replicaA.callerOf(token.replace(id, "0123456789abcdef"))).isEmpty();
    assertThat(replicaA.callerOf(token.toUpperCase())).isEmpty();
    assertThat(replicaA.callerOf(token + "0")).isEmpty();
    assertThat(replicaA.callerOf("tv_" + id)).isEmpty();
    assertThat(replicaA.callerOf("")).isEmpty();
  }

  @Test
  void aRevokedToken_isRefusedAtOnceOnItsServer_andOnAnotherAfterItsCheck_forGood() {
    TokenAdmin.Created created = adminOnA.create("t", EnumSet.of(Permission.API_KEYS_READ), Scope.UNRESTRICTED, 0);
    replicaB.reloadIfChanged();
    assertThat(replicaB.callerOf(created.token())).isPresent();

    clock.advance(Duration.ofSeconds(5));
    StoredToken revoked = adminOnA.revoke(created.info().id()).orElseThrow();
    assertThat(revoked.revokedAtMs()).isEqualTo(clock.millis());
    assertThat(replicaA.callerOf(created.token())).isEmpty();
    assertThat(replicaB.reloadIfChanged()).isTrue();
    assertThat(replicaB.callerOf(created.token())).isEmpty();

    clock.advance(Duration.ofSeconds(5));
    assertThat(adminOnA.revoke(created.info().id()).orElseThrow().revokedAtMs()).as("the first revocation's time")
        .isEqualTo(revoked.revokedAtMs());
    assertThat(adminOnA.revoke("0123456789abcdef")).isEmpty();
  }

  @Test
  void aRevocationHeardOf_outlivesAReloadThatStillSawTheTokenActive() {
    TokenAdmin.Created created = adminOnA.create("t", EnumSet.of(Permission.API_KEYS_READ), Scope.UNRESTRICTED, 0);
    replicaB.reloadIfChanged();
    // Announced before the revocation is visible to B's next read (as a message can overtake a commit).
    replicaB.refuse(created.info().id());
    replicaB.reload();
    assertThat(replicaB.callerOf(created.token())).isEmpty();
  }

  @Test
  void tokensAreCountedByState() {
    adminOnA.create("active", EnumSet.of(Permission.API_KEYS_READ), Scope.UNRESTRICTED, 0);
    adminOnA.create("expiring", EnumSet.of(Permission.API_KEYS_READ), Scope.UNRESTRICTED, clock.millis() + 1);
    adminOnA.revoke(adminOnA.create("revoked", EnumSet.of(Permission.API_KEYS_READ), Scope.UNRESTRICTED, 0).info().id());
    clock.advance(Duration.ofMillis(1));
    assertThat(replicaA.countByState()).containsExactlyInAnyOrderEntriesOf(
        java.util.Map.of("active", 1, "expired", 1, "revoked", 1));
  }

  @Test
  void anExpiredToken_isRefusedFromItsExpiryOn_onEveryServer() {
    long expiresAt = clock.millis() + 60_000;
    String token = adminOnA.create("t", EnumSet.of(Permission.API_KEYS_READ), Scope.UNRESTRICTED, expiresAt).token();
    replicaB.reloadIfChanged();
    clock.advance(Duration.ofMillis(59_999));
    assertThat(replicaA.callerOf(token)).isPresent();
    assertThat(replicaB.callerOf(token)).isPresent();
    clock.advance(Duration.ofMillis(1));
    assertThat(replicaA.callerOf(token)).isEmpty();
    assertThat(replicaB.callerOf(token)).isEmpty();
  }

  @Test
  void lastUses_areWrittenInOneBatchWhenFlushed_notPerCall() {
    TokenAdmin.Created created = adminOnA.create("t", EnumSet.of(Permission.API_KEYS_READ), Scope.UNRESTRICTED, 0);
    clock.advance(Duration.ofSeconds(1));
    replicaA.callerOf(created.token());
    long usedAt = clock.millis();
    assertThat(storedLastUse(created.info().id())).isZero();
    assertThat(replicaA.find(created.info().id()).orElseThrow().lastUsedAtMs()).isEqualTo(usedAt);
    assertThat(adminOnA.page(0, "", 10).get(0).lastUsedAtMs()).isEqualTo(usedAt);

    replicaA.flushLastUse();
    assertThat(storedLastUse(created.info().id())).isEqualTo(usedAt);

    // Once written, the next use is noted, and the uses within a second of it are not.
    clock.advance(Duration.ofMillis(10));
    replicaA.callerOf(created.token());
    clock.advance(Duration.ofMillis(999));
    replicaA.callerOf(created.token());
    assertThat(replicaA.find(created.info().id()).orElseThrow().lastUsedAtMs()).as("kept to a second")
        .isEqualTo(usedAt + 10);
    clock.advance(Duration.ofMillis(1));
    replicaA.callerOf(created.token());
    assertThat(replicaA.find(created.info().id()).orElseThrow().lastUsedAtMs()).isEqualTo(usedAt + 1010);
  }

  @Test
  void pagesAreOldestFirst_andResumeAfterTheLastTokenOfThePage() {
    for (int i = 0; i < 5; i++) {
      adminOnA.create("t" + i, EnumSet.of(Permission.API_KEYS_READ), Scope.UNRESTRICTED, 0);
      clock.advance(Duration.ofMillis(i % 2)); // two tokens share a creation time: ordered by id
    }
    List<StoredToken> first = adminOnA.page(0, "", 3);
    StoredToken last = first.get(2);
    List<StoredToken> second = adminOnA.page(last.createdAtMs(), last.id(), 3);
    assertThat(first).hasSize(3);
    assertThat(second).hasSize(2);
    assertThat(java.util.stream.Stream.concat(first.stream(), second.stream()).map(StoredToken::name))
        .containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4");
  }

  private long storedLastUse(String id) {
    return database.jdbc().queryOne("SELECT last_used_at_ms FROM access_tokens WHERE id = ?", r -> r.getLong(1), id)
        .orElseThrow();
  }
}
