package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.TickvaultVersion;
import io.tickvault.server.testing.Ports;
import io.tickvault.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code tickvault --version}: the client's version, and the server's when it answers. */
class VersionCliIT {
  @RegisterExtension
  static TestServer server = TestServer.netty();

  @Test
  void tickvaultVersion_printsTheClientsAndTheServersVersion() {
    Cli.Result result = Cli.atPort(server.port()).run("--version");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("tickvault " + TickvaultVersion.current() + " (client)\n"
        + "server at 127.0.0.1:" + server.port() + ": tickvault " + TickvaultVersion.current() + "\n");
  }

  @Test
  void tickvaultVersion_withoutAServer_saysItIsNotReachable() {
    int nothingThere = Ports.free();
    Cli.Result result = Cli.atPort(nothingThere).run("--version");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).isEqualTo("tickvault " + TickvaultVersion.current() + " (client)\n"
        + "server at 127.0.0.1:" + nothingThere + ": not reachable (UNAVAILABLE)\n");
  }
}
