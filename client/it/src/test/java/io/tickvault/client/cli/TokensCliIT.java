package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.Permission;
import io.tickvault.api.v1.TokenInfo;
import io.tickvault.api.v1.TokenScope;
import io.tickvault.client.TickvaultClient;
import io.tickvault.server.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code tickvault tokens create|list|revoke} and {@code tickvault whoami}, and the Java client's
 * same calls, against a server with tokens.
 */
class TokensCliIT {
  static final String ADMIN = "admin-token-cli-tokens-0123456789";

  @RegisterExtension
  static TestServer server = TestServer.netty().configure(b -> b.authDisabled(false).adminTokens(List.of(ADMIN)));

  private Cli as(String token) {
    return new Cli().env("TICKVAULT_TARGET", "127.0.0.1:" + server.port()).env("TICKVAULT_TOKEN", token);
  }

  @Test
  void createWhoamiListRevoke_throughTheCli() {
    Cli.Result created = as(ADMIN).run("tokens", "create", "--name", "eu fleet", "--permission", "api_keys_read",
        "--permission", "MARKET_DATA_READ", "--user-id-prefix", "eu-", "--exchange-id", "1", "--expires-in", "30d");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    String token = created.out().strip();
    assertThat(token).matches("tv_[0-9a-f]{16}_[0-9a-f]{64}");
    String id = token.substring(3, 19);
    assertThat(created.err()).contains(id).contains("shown this once");

    Cli.Result whoami = as(token).run("whoami");
    assertThat(whoami.exitCode()).as(whoami.toString()).isZero();
    assertThat(whoami.out()).contains("token_id: " + id).contains("name:     eu fleet")
        .contains("api_keys_read, market_data_read on users ids starting 'eu-', exchanges 1");
    Cli.Result json = as(token).run("whoami", "-o", "json");
    assertThat(json.out()).contains("\"token_id\":\"" + id + "\"").contains("\"PERMISSION_API_KEYS_READ\"");

    Cli.Result list = as(ADMIN).run("tokens", "list");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(list.out()).contains(id).contains("eu fleet").contains("active").doesNotContain(token.substring(20));

    assertThat(as(token).run("tokens", "list").exitCode()).as("no PERMISSION_TOKENS_ADMIN").isEqualTo(ExitCodes.AUTH);

    Cli.Result revoked = as(ADMIN).run("tokens", "revoke", id);
    assertThat(revoked.out()).as(revoked.toString()).isEqualTo("revoked\n");
    Cli.Result refused = as(token).run("whoami");
    assertThat(refused.exitCode()).isEqualTo(ExitCodes.AUTH);
    assertThat(refused.err()).contains("UNAUTHENTICATED");
    assertThat(as(ADMIN).run("tokens", "list", "-o", "json").out()).contains("\"revoked_at_ms\"");
  }

  @Test
  void aBadPermissionIsAUsageError_andAnUnknownIdIsRefused() {
    Cli.Result bad = as(ADMIN).run("tokens", "create", "--name", "x", "--permission", "everything");
    assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("'everything' is no permission").contains("api_keys_read");
    Cli.Result unknown = as(ADMIN).run("tokens", "revoke", "0123456789abcdef");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(unknown.err()).contains("NOT_FOUND");
  }

  @Test
  void theJavaClient_createsListsRevokesAndTellsWhoItIs() {
    try (TickvaultClient admin = client(ADMIN)) {
      var created = admin.tokens().create("java", List.of(Permission.PERMISSION_MARKET_DATA_READ),
          TokenScope.newBuilder().addExchangeIds(7).build(), 0);
      try (TickvaultClient worker = client(created.getToken())) {
        TokenInfo me = worker.tokens().whoAmI();
        assertThat(me.getTokenId()).isEqualTo(created.getInfo().getTokenId());
        assertThat(me.getScope().getExchangeIdsList()).containsExactly(7);
      }
      assertThat(admin.tokens().listAll()).extracting(TokenInfo::getTokenId).contains(created.getInfo().getTokenId());
      assertThat(admin.tokens().revoke(created.getInfo().getTokenId()).getRevokedAtMs()).isPositive();
      assertThat(admin.tokens().whoAmI().getTokenId()).startsWith("env-admin-");
    }
  }

  private static TickvaultClient client(String token) {
    return TickvaultClient.builder().target("127.0.0.1:" + server.port()).token(token).build();
  }
}
