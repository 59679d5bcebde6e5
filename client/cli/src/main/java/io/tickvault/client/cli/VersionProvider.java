package io.tickvault.client.cli;

import io.grpc.StatusRuntimeException;
import io.tickvault.api.TickvaultVersion;
import io.tickvault.client.TickvaultClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;

/**
 * {@code tickvault --version}: this client's version and, when the server at TICKVAULT_TARGET
 * (default 127.0.0.1:50051, with the other TICKVAULT_* connection variables) answers within five
 * seconds, the server's, which it sends in a response header on every call.
 */
final class VersionProvider implements IVersionProvider {
  private final CliContext context;

  VersionProvider(CliContext context) {
    this.context = context;
  }

  @Override
  public String[] getVersion() {
    String client = "tickvault " + TickvaultVersion.current() + " (client)";
    Connection connection = new Connection(context);
    new CommandLine(connection).setDefaultValueProvider(new EnvironmentDefaults(context.env())).parseArgs();
    connection.options.deadlineSeconds = 5; // a cold JVM on a busy machine needs more than 2 s to connect and ask
    String target = connection.options.resolvedTarget();
    String server;
    try (TickvaultClient tickvault = connection.options.connect()) {
      server = tickvault.serverVersion().map(v -> "tickvault " + v).orElse("a version that does not say");
    } catch (StatusRuntimeException e) {
      server = "not reachable (" + e.getStatus().getCode() + ")";
    } catch (RuntimeException e) {
      server = "not reachable (" + e.getMessage() + ")";
    }
    return new String[] {client, "server at " + target + ": " + server};
  }

  /** The connection options alone, filled from the environment and config file as every command's are. */
  @Command
  static final class Connection {
    @Mixin
    ConnectionOptions options;

    Connection(CliContext context) {
      this.options = new ConnectionOptions(context);
    }
  }
}
