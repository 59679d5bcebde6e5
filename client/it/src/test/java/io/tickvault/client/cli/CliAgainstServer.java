package io.tickvault.client.cli;

import io.tickvault.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture of the in-JVM CLI tests against a real server on a Netty port: JUnit starts the
 * server for each test class that extends this one, on a database of its own, and stops it after
 * the class; each test begins with empty tables, a scratch dir and a tool pointed at the server.
 */
abstract class CliAgainstServer {
  @RegisterExtension
  static TestServer server = TestServer.netty();

  @TempDir
  Path dir;

  Cli cli;

  @BeforeEach
  void emptyTables() {
    server.database().truncate("exchange_api_keys", "orderbook_levels", "orderbook_snapshots", "trades", "trade_candles_1m",
        "currency_pairs", "exchanges CASCADE");
    cli = Cli.atPort(server.port());
  }
}
