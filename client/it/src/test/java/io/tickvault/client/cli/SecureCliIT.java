package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.TestCertificates;
import io.tickvault.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CLI (so TickvaultClient) against a server with tokens and mutual TLS: the CA, client
 * certificate and token come from flags or TICKVAULT_* variables, and each refusal has its exit code.
 */
class SecureCliIT {
  static final String WORKER = "worker-token-cli-0123456789";
  static final String ADMIN = "admin-token-cli-0123456789";
  static final Path DIR = tempDir();
  static final TestCertificates SERVER_CA = TestCertificates.newCa(DIR, "cli-server");
  static final TestCertificates CLIENT_CA = TestCertificates.newCa(DIR, "cli-clients");
  static final TestCertificates.Pem SERVER = SERVER_CA.server();
  static final TestCertificates.Pem CLIENT = CLIENT_CA.client("cli-worker");

  @RegisterExtension
  static TestServer server = TestServer.netty().configure(b -> b
      .authDisabled(false).workerTokens(List.of(WORKER)).adminTokens(List.of(ADMIN))
      .tlsCert(SERVER.certificate()).tlsKey(SERVER.privateKey()).tlsClientCa(CLIENT_CA.ca().certificate()));

  private Cli mtls(String token) {
    Cli cli = new Cli()
        .env("TICKVAULT_TARGET", "localhost:" + server.port())
        .env("TICKVAULT_TLS_CA", SERVER_CA.ca().certificate().toString())
        .env("TICKVAULT_TLS_CLIENT_CERT", CLIENT.certificate().toString())
        .env("TICKVAULT_TLS_CLIENT_KEY", CLIENT.privateKey().toString());
    return token == null ? cli : cli.env("TICKVAULT_TOKEN", token);
  }

  @Test
  void overMutualTls_healthNeedsNoToken_andTheAdminTokenMayWrite() {
    Cli.Result health = mtls(null).run("health");
    assertThat(health.exitCode()).as(health.toString()).isZero();
    assertThat(health.out()).isEqualTo("SERVING\n");

    Cli.Result put = mtls(ADMIN).run("markets", "put-exchange", "--exchange-id", "31", "--code", "secure");
    assertThat(put.exitCode()).as(put.toString()).isZero();
    Cli.Result list = mtls(WORKER).run("markets", "list", "--json");
    assertThat(list.exitCode()).as(list.toString()).isZero();
  }

  @Test
  void flagsWork_asTheVariablesDo() {
    Cli.Result health = new Cli().run("health", "--target", "localhost:" + server.port(),
        "--tls-ca", SERVER_CA.ca().certificate().toString(),
        "--tls-cert", CLIENT.certificate().toString(), "--tls-key", CLIENT.privateKey().toString());

    assertThat(health.exitCode()).as(health.toString()).isZero();
  }

  @Test
  void noToken_exits4Unauthenticated_andAWorkerTokenOnAnAdminCall_exits4PermissionDenied() {
    Cli.Result none = mtls(null).run("keys", "get", "--user-id", "alice");
    assertThat(none.exitCode()).isEqualTo(ExitCodes.AUTH).isEqualTo(4);
    assertThat(none.err()).contains("UNAUTHENTICATED").contains("TICKVAULT_TOKEN");

    Cli.Result worker = mtls(WORKER).run("markets", "put-exchange", "--exchange-id", "32", "--code", "nope");
    assertThat(worker.exitCode()).isEqualTo(ExitCodes.AUTH);
    assertThat(worker.err()).contains("PERMISSION_DENIED").contains("needs PERMISSION_MARKETS_WRITE").contains("tickvault whoami");
  }

  @Test
  void withoutAClientCertificate_theHandshakeFails_exit3() {
    Cli.Result result = new Cli().env("TICKVAULT_TOKEN", WORKER)
        .run("markets", "list", "--target", "localhost:" + server.port(),
            "--tls-ca", SERVER_CA.ca().certificate().toString(), "--deadline", "5");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
  }

  @Test
  void plaintextAgainstATlsServer_exits3() {
    Cli.Result result = new Cli().run("health", "--target", "localhost:" + server.port(), "--deadline", "5");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(result.err()).isEqualTo("tickvault: localhost:" + server.port()
        + " closed the connection before answering: if the server uses TLS, add --tls or --tls-ca FILE\n");
  }

  @Test
  void onlyOneOfCertificateAndKey_isAUsageError() {
    Cli.Result result = new Cli().run("health", "--target", "localhost:" + server.port(),
        "--tls-ca", SERVER_CA.ca().certificate().toString(), "--tls-cert", CLIENT.certificate().toString());

    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err()).contains("--tls-cert and --tls-key: give both or neither");
  }

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("tickvault-cli-tls");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
