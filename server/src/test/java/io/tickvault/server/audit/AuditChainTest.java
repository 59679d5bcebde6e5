package io.tickvault.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditChainTest {
  private static final AuditKeys KEYS = AuditKeys.of(new byte[32], List.of());

  @Test
  void eachRecordCoversThePreviousHash_andTheChainMovesOnlyWhenAdvanced() {
    AuditChain chain = new AuditChain(UUID.randomUUID(), KEYS);
    List<ChainedRecord> records = chain.extend(List.of(event("a"), event("b")));
    assertThat(records.get(0).seq()).isEqualTo(1);
    assertThat(records.get(0).prevHash()).isEqualTo(AuditChain.GENESIS);
    assertThat(records.get(1).prevHash()).isEqualTo(records.get(0).hash());
    assertThat(chain.lastSeq()).as("not durable yet").isZero();
    assertThat(chain.extend(List.of(event("c"))).get(0).seq()).as("a failed group leaves no hole").isEqualTo(1);
    chain.advance(records);
    assertThat(chain.lastSeq()).isEqualTo(2);
    assertThat(chain.head()).isEqualTo(records.get(1).hash());
  }

  @Test
  void theHashDependsOnEveryFieldAndOnTheKey() {
    UUID id = UUID.randomUUID();
    var mac = KEYS.mac(KEYS.currentId()).orElseThrow();
    byte[] base = AuditChain.hash(mac, id, 1, event("u"), KEYS.currentId(), AuditChain.GENESIS);
    assertThat(AuditChain.hash(mac, id, 1, event("u"), KEYS.currentId(), AuditChain.GENESIS)).isEqualTo(base);
    assertThat(AuditChain.hash(mac, id, 1, event("v"), KEYS.currentId(), AuditChain.GENESIS)).isNotEqualTo(base);
    assertThat(AuditChain.hash(mac, id, 2, event("u"), KEYS.currentId(), AuditChain.GENESIS)).isNotEqualTo(base);
    AuditKeys other = AuditKeys.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
        22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}, List.of());
    assertThat(AuditChain.hash(other.mac(other.currentId()).orElseThrow(), id, 1, event("u"), KEYS.currentId(),
        AuditChain.GENESIS)).isNotEqualTo(base);
  }

  @Test
  void theSubjectIsHashedWhenThereIsOne_andARecordWithoutOneHashesAsBeforeSubjectsExisted() {
    var mac = KEYS.mac(KEYS.currentId()).orElseThrow();
    UUID id = new UUID(1, 2);
    AuditEvent revoke = new AuditEvent(1_700_000_000_000L, "token", "127.0.0.1:1",
        "tickvault.v1.TokenAdminService/RevokeToken", "", 0, "OK");
    // The hash of this record as the server computed it before audit records had a subject.
    assertThat(HexFormat.of().formatHex(AuditChain.hash(mac, id, 1, revoke, KEYS.currentId(), AuditChain.GENESIS)))
        .isEqualTo("4545cc37447e77feff83a0d315f86255d08b2c2510d38278f947701383354fe7");
    AuditEvent aboutA = new AuditEvent(revoke.timeMs(), revoke.tokenId(), revoke.peer(), revoke.method(), "", 0, "OK", "tok-a");
    AuditEvent aboutB = new AuditEvent(revoke.timeMs(), revoke.tokenId(), revoke.peer(), revoke.method(), "", 0, "OK", "tok-b");
    byte[] a = AuditChain.hash(mac, id, 1, aboutA, KEYS.currentId(), AuditChain.GENESIS);
    assertThat(a).isNotEqualTo(AuditChain.hash(mac, id, 1, revoke, KEYS.currentId(), AuditChain.GENESIS))
        .isNotEqualTo(AuditChain.hash(mac, id, 1, aboutB, KEYS.currentId(), AuditChain.GENESIS));
  }

  @Test
  void textThatPostgresqlCannotHoldIsReplaced_andLongTextCut() {
    AuditEvent e = new AuditEvent(1, "t", "p", "m", "a\0b\uD800c" + "x".repeat(1000), 0, "OK");
    assertThat(e.userId()).startsWith("a\uFFFDb\uFFFDc").hasSize(AuditEvent.MAX_TEXT);
  }

  private static AuditEvent event(String user) {
    return new AuditEvent(1_700_000_000_000L, "token", "127.0.0.1:1", "tickvault.v1.ApiKeyService/GetApiKeys", user, 1,
        "OK");
  }
}
