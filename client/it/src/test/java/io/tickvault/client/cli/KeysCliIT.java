package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code tickvault keys …}, in-JVM against a real server with its cache. */
class KeysCliIT extends CliAgainstServer {
  @BeforeEach
  void registerBinance() {
    assertThat(cli.run("markets", "put-exchange", "--exchange-id", "1", "--code", "binance").exitCode()).isZero();
  }

  @Test
  void putFromAFile_getHidesTheSecretUnlessAsked_deleteRemovesIt() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret"), "s3cret-value\n");

    Cli.Result put = cli.run("keys", "put", "--user-id", "alice", "--exchange-id", "1", "--access-key", "AK-1",
        "--label", "main", "--secret-key-file", secret.toString());
    assertThat(put.exitCode()).as(put.toString()).isZero();
    assertThat(put.out()).isEqualTo("created\n");
    assertThat(cli.run("keys", "put", "--user-id", "alice", "--exchange-id", "1", "--access-key", "AK-1",
        "--secret-key", "s3cret-2").out()).isEqualTo("updated\n");

    Cli.Result table = cli.run("keys", "get", "--user-id", "alice");
    assertThat(table.exitCode()).isZero();
    assertThat(table.out()).contains("AK-1").contains("(hidden)").doesNotContain("s3cret");
    Cli.Result json = cli.run("keys", "get", "--user-id", "alice", "--exchange-id", "1", "--json", "--show-secrets");
    assertThat(json.out()).startsWith("{\"user_id\":\"alice\",\"exchange_id\":1,\"access_key\":\"AK-1\",\"secret_key\":\"s3cret-2\"");

    assertThat(cli.run("keys", "delete", "--user-id", "alice", "--exchange-id", "1", "--access-key", "AK-1").out())
        .isEqualTo("deleted\n");
    assertThat(cli.run("keys", "delete", "--user-id", "alice", "--exchange-id", "1", "--access-key", "AK-1").out())
        .isEqualTo("not found\n");
    assertThat(cli.run("keys", "get", "--user-id", "alice", "--json").out()).isEmpty();
  }

  @Test
  void getWithoutUser_isAUsageError_andAnEmptyUserIsRefusedByTheServer() {
    Cli.Result missing = cli.run("keys", "get");
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("Missing required option: '--user-id=USER'");

    Cli.Result empty = cli.run("keys", "get", "--user-id", "");
    assertThat(empty.exitCode()).as(empty.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(empty.err()).contains("INVALID_ARGUMENT").contains("user_id");
  }

  @Test
  void putNeedsExactlyOneWayToGiveTheSecret() {
    Cli.Result none = cli.run("keys", "put", "--user-id", "alice", "--exchange-id", "1", "--access-key", "AK-1");

    assertThat(none.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).contains("--secret-key-file").contains("--secret-key");
  }
}
