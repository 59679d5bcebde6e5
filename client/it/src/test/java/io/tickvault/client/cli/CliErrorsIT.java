package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.TestServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees when the connection itself is wrong, from a real {@code tickvault} process
 * (so gRPC's own logging counts too): one line on standard error that says what is wrong and what
 * to do, no stack trace, no Netty pipeline, and the exit code of an unreachable server.
 */
class CliErrorsIT {
  private static final int METRICS_PORT = freePort();

  @RegisterExtension
  static TestServer server = TestServer.netty().configure(b -> b.metricsPort(METRICS_PORT));

  @TempDir
  Path dir;

  @Test
  void tlsAgainstAPlaintextServer() {
    Cli.Result result = health("--target", "127.0.0.1:" + server.port(), "--tls");

    assertOneLine(result, ExitCodes.UNAVAILABLE);
    assertThat(result.err()).startsWith("tickvault: TLS handshake with 127.0.0.1:" + server.port()
        + " failed (not an SSL/TLS record): the server may not use TLS; drop --tls");
  }

  @Test
  void unknownHost() {
    Cli.Result result = health("--target", "no-such-host.invalid:50051");

    assertOneLine(result, ExitCodes.UNAVAILABLE);
    assertThat(result.err()).startsWith("tickvault: unknown host in --target no-such-host.invalid:50051");
  }

  @Test
  void targetWithoutAPort() {
    Cli.Result result = health("--target", "localhost");

    assertOneLine(result, ExitCodes.USAGE);
    assertThat(result.err()).isEqualTo("tickvault: --target localhost: expected HOST:PORT (e.g. 127.0.0.1:50051) "
        + "or a URI such as dns:///host:50051\n");
  }

  @Test
  void theMetricsPortAsTarget() {
    Cli.Result result = health("--target", "127.0.0.1:" + METRICS_PORT);

    assertOneLine(result, ExitCodes.UNAVAILABLE);
    assertThat(result.err()).startsWith("tickvault: 127.0.0.1:" + METRICS_PORT + " did not answer as a gRPC server")
        .contains("is that the metrics port?");
  }

  @Test
  void nothingListening() {
    Cli.Result result = health("--target", "127.0.0.1:" + freePort());

    assertOneLine(result, ExitCodes.UNAVAILABLE);
    assertThat(result.err()).contains("(connection refused): is the server running");
  }

  @Test
  void debug_showsTheStackTrace() {
    Cli.Result result = health("--target", "127.0.0.1:" + freePort(), "--debug");

    assertThat(result.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(result.err()).contains("(connection refused)").contains("\tat io.grpc.");
  }

  private Cli.Result health(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "health";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliProcess.run(dir, Map.of(), all);
  }

  private static void assertOneLine(Cli.Result result, int exitCode) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
    assertThat(result.err().lines()).as(result.toString()).hasSize(1);
    assertThat(result.err()).as(result.toString()).doesNotContain("\tat ").doesNotContain("Pipeline").doesNotContain("Exception");
    assertThat(result.out()).isEmpty();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
