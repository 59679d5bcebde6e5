package io.tickvault.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A group of records goes to {@code audit_log} as one statement of one array per column: every
 * text comes back exactly as it was hashed, whatever characters an array literal treats specially,
 * and a group stored again (a spool shipped twice) adds nothing.
 */
class AuditRepositoryIT {
  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  private static final AuditKeys KEYS = AuditKeys.of(new byte[32], List.of());

  @Test
  void aGroupComesBackFieldForField_andVerifies_andStoringItAgainAddsNothing() {
    AuditRepository repository = new AuditRepository(database.jdbc());
    AuditChain chain = new AuditChain(UUID.randomUUID(), KEYS);
    List<String> texts = List.of("", "NULL", "null", "a,b", "{x}", "\"quoted\"", "back\\slash", "tab\there",
        "new\nline", "   ", "é€😀", "\uFFFD", "tok_" + "x".repeat(AuditEvent.MAX_TEXT));
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      String t = texts.get(i);
      events.add(new AuditEvent(1_700_000_000_000L + i, t, "/" + t, "m/" + t, t, i - 1, t.isEmpty() ? "OK" : t));
    }
    List<ChainedRecord> records = chain.extend(events);

    assertThat(repository.insert(records)).isEqualTo(records.size());
    assertThat(repository.insert(records)).isZero();

    List<ChainedRecord> stored = repository.inChainOrder(null, 0, 100);
    assertThat(stored).hasSize(records.size());
    for (int i = 0; i < records.size(); i++) {
      ChainedRecord want = records.get(i);
      ChainedRecord got = stored.get(i);
      assertThat(got.chainId()).isEqualTo(want.chainId());
      assertThat(got.seq()).isEqualTo(want.seq());
      assertThat(got.event()).isEqualTo(want.event());
      assertThat(got.keyId()).isEqualTo(want.keyId());
      assertThat(got.prevHash()).isEqualTo(want.prevHash());
      assertThat(got.hash()).isEqualTo(want.hash());
    }
    AuditVerifier.Result verified = new AuditVerifier(repository, KEYS).verify();
    assertThat(verified.intact()).as(verified.detail()).isTrue();
    assertThat(verified.recordsChecked()).isEqualTo(records.size());
  }
}
