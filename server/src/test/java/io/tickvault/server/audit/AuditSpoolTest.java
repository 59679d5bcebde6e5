package io.tickvault.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSpoolTest {
  private static final AuditKeys KEYS = AuditKeys.of(new byte[32], List.of());

  @TempDir
  Path dir;

  @Test
  void appendedRecordsAreShippedInOrder_andTheShippedFileIsEmptied() throws IOException {
    AuditChain chain = new AuditChain(UUID.randomUUID(), KEYS);
    try (AuditSpool spool = new AuditSpool(dir, chain.id(), 1 << 20)) {
      List<ChainedRecord> first = chain.extend(events(3, 1000));
      spool.append(first);
      chain.advance(first);
      List<ChainedRecord> second = chain.extend(events(2, 2000));
      spool.append(second);
      chain.advance(second);
      assertThat(spool.unshippedRecords()).isEqualTo(5);
      assertThat(spool.oldestUnshippedMs()).isEqualTo(1000);

      AuditSpool.Shipment shipment = spool.nextShipment(4);
      assertThat(shipment.records()).extracting(ChainedRecord::seq).containsExactly(1L, 2L, 3L, 4L);
      assertThat(shipment.records().get(0).hash()).isEqualTo(first.get(0).hash());
      spool.shipped(shipment);
      AuditSpool.Shipment rest = spool.nextShipment(4);
      assertThat(rest.records()).extracting(ChainedRecord::seq).containsExactly(5L);
      spool.shipped(rest);

      assertThat(spool.unshippedRecords()).isZero();
      assertThat(spool.nextShipment(4)).isNull();
      assertThat(Files.size(dir.resolve("audit-" + chain.id() + ".spool"))).isZero();
    }
    assertThat(files()).as("an emptied spool file is deleted at close").isEmpty();
  }

  @Test
  void aDeadServersFile_isAdoptedByTheNextOne_upToItsTornTail() throws IOException {
    AuditChain dead = new AuditChain(UUID.randomUUID(), KEYS);
    List<ChainedRecord> spooled = dead.extend(events(3, 5000));
    AuditSpool deadSpool = new AuditSpool(dir, dead.id(), 1 << 20);
    deadSpool.append(spooled);
    deadSpool.close(); // what a SIGKILL leaves: the file, its lock gone
    Path file = dir.resolve("audit-" + dead.id() + ".spool");
    Files.write(file, new byte[] {0, 0, 1, 0, 42}, StandardOpenOption.APPEND); // a write cut short

    try (AuditSpool next = new AuditSpool(dir, UUID.randomUUID(), 1 << 20)) {
      assertThat(next.adoptLeftovers()).isEqualTo(3);
      assertThat(next.oldestUnshippedMs()).isEqualTo(5000);
      AuditSpool.Shipment shipment = next.nextShipment(100);
      assertThat(shipment.records()).extracting(ChainedRecord::chainId).containsOnly(dead.id());
      assertThat(shipment.records()).extracting(ChainedRecord::seq).containsExactly(1L, 2L, 3L);
      next.shipped(shipment);
      assertThat(next.unshippedRecords()).isZero();
      assertThat(file).doesNotExist();
    }
  }

  @Test
  void aFileAnotherLiveServerWrites_isLeftAlone() throws IOException {
    AuditChain live = new AuditChain(UUID.randomUUID(), KEYS);
    try (AuditSpool liveSpool = new AuditSpool(dir, live.id(), 1 << 20);
         AuditSpool other = new AuditSpool(dir, UUID.randomUUID(), 1 << 20)) {
      liveSpool.append(live.extend(events(2, 1)));
      assertThat(other.adoptLeftovers()).isZero();
      assertThat(liveSpool.unshippedRecords()).isEqualTo(2);
    }
  }

  @Test
  void aFullSpoolRefusesTheGroup_andKeepsWhatItHad() throws IOException {
    AuditChain chain = new AuditChain(UUID.randomUUID(), KEYS);
    try (AuditSpool spool = new AuditSpool(dir, chain.id(), 2_000)) {
      List<ChainedRecord> few = chain.extend(events(2, 1));
      spool.append(few);
      chain.advance(few);
      assertThatThrownBy(() -> spool.append(chain.extend(events(50, 2)))).hasMessageContaining("full");
      assertThat(spool.unshippedRecords()).isEqualTo(2);
      assertThat(spool.nextShipment(100).records()).hasSize(2);
    }
  }

  @Test
  void aRecordsSubjectIsKept_andARecordWithoutOneReadsWithoutOne() throws IOException {
    AuditChain chain = new AuditChain(UUID.randomUUID(), KEYS);
    try (AuditSpool spool = new AuditSpool(dir, chain.id(), 1 << 20)) {
      List<ChainedRecord> records = chain.extend(List.of(
          new AuditEvent(1000, "admin-1", "127.0.0.1:5000", "tickvault.v1.TokenAdminService/RevokeToken", "", 0, "OK",
              "tok-revoked"),
          new AuditEvent(1001, "token-1", "127.0.0.1:5000", "tickvault.v1.ApiKeyService/GetApiKeys", "user-1", 1, "OK")));
      spool.append(records);
      chain.advance(records);
      AuditSpool.Shipment shipment = spool.nextShipment(10);
      assertThat(shipment.records()).extracting(r -> r.event().subject()).containsExactly("tok-revoked", "");
      assertThat(shipment.records()).extracting(ChainedRecord::event).isEqualTo(List.of(records.get(0).event(),
          records.get(1).event()));
      spool.shipped(shipment);
    }
  }

  private static List<AuditEvent> events(int n, long timeMs) {
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      events.add(new AuditEvent(timeMs + i, "token-1", "127.0.0.1:5000", "tickvault.v1.ApiKeyService/GetApiKeys",
          "user-" + i, 1, "OK"));
    }
    return events;
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}
