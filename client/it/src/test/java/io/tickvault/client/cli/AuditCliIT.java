package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.AuditRecord;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.ReadAuditLogRequest;
import io.tickvault.client.ResumingReader;
import io.tickvault.client.TickvaultClient;
import io.tickvault.server.testing.TestServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code tickvault audit read|verify}, and the Java client's same calls, against a server with tokens. */
class AuditCliIT {
  static final String ADMIN = "admin-token-cli-audit-0123456789";

  @RegisterExtension
  static TestServer server = TestServer.netty().configure(b -> b.authDisabled(false).adminTokens(List.of(ADMIN)));

  @BeforeAll
  static void readSomeKeys() {
    try (TickvaultClient client = client()) {
      client.putExchange(1, "binance");
      client.putApiKey(PutApiKeyRequest.newBuilder().setUserId("audited-user").setExchangeId(1).setAccessKey("a")
          .setSecretKey("not-to-be-seen-0123").build());
      client.getApiKeys("audited-user", 0);
      client.getApiKeys("audited-user", 1);
    }
  }

  private Cli cli() {
    return new Cli().env("TICKVAULT_TARGET", "127.0.0.1:" + server.port()).env("TICKVAULT_TOKEN", ADMIN);
  }

  @Test
  void readPrintsTheRecordsOfOneUser_asTextAndAsJson() {
    Cli.Result read = cli().run("audit", "read", "--user-id", "audited-user");
    assertThat(read.exitCode()).as(read.toString()).isZero();
    assertThat(read.out()).contains("tickvault.v1.ApiKeyService/GetApiKeys").contains("env-admin-")
        .contains("tickvault.v1.ApiKeyAdminService/PutApiKey").doesNotContain("not-to-be-seen");
    assertThat(read.out().lines().filter(l -> l.contains("GetApiKeys"))).hasSize(2);
    Cli.Result json = cli().run("audit", "read", "--user-id", "audited-user", "-o", "json");
    assertThat(json.out().lines()).hasSize(3).allSatisfy(l -> assertThat(l).contains("\"hash\""));
  }

  @Test
  void verifySaysIntact_andExits9NamingTheRecordOnceOneIsChanged() throws Exception {
    Cli.Result intact = cli().run("audit", "verify");
    assertThat(intact.exitCode()).as(intact.toString()).isZero();
    assertThat(intact.out()).startsWith("intact: ").contains("head seq");

    String chain = server.app().auditChainId().toString();
    try (Connection c = server.database().dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
      try {
        s.execute("UPDATE audit_log SET outcome = 'NOT_FOUND' WHERE chain_id = '" + chain + "' AND seq = 2");
        Cli.Result broken = cli().run("audit", "verify");
        assertThat(broken.exitCode()).as(broken.toString()).isEqualTo(ExitCodes.AUDIT_BROKEN);
        assertThat(broken.out()).startsWith("BROKEN: chain " + chain + ", record 2:");
        s.execute("UPDATE audit_log SET outcome = 'OK' WHERE chain_id = '" + chain + "' AND seq = 2");
      } finally {
        s.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
      }
    }
  }

  @Test
  void theJavaClient_readsAndVerifies() {
    try (TickvaultClient client = client();
         ResumingReader<AuditRecord> records = client.audit().read(ReadAuditLogRequest.newBuilder()
             .setUserId("audited-user").setPageSize(1).build())) {
      List<AuditRecord> all = new ArrayList<>();
      records.forEachRemaining(all::add);
      assertThat(all).hasSize(3).extracting(AuditRecord::getOutcome).containsOnly("OK");
      assertThat(client.audit().verify().getIntact()).isTrue();
    }
  }

  private static TickvaultClient client() {
    return TickvaultClient.builder().target("127.0.0.1:" + server.port()).token(ADMIN).build();
  }
}
