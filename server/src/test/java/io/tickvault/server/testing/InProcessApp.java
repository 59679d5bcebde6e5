package io.tickvault.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.tickvault.server.app.Application;
import io.tickvault.server.config.ServerConfig;
import java.time.Duration;
import java.util.UUID;

/**
 * One {@link Application} on the in-process transport and a channel to it, for tests that start
 * the server themselves (on an {@link OwnPostgres} they stop, with a config of their own) instead
 * of through {@link TestServer}. Closing it shuts the channel, then the application.
 */
public record InProcessApp(Application app, ManagedChannel channel) implements AutoCloseable {
  /**
   * The tests' defaults on this database: the tests' Redis, a zero master key, metrics on port 0,
   * auth off, an audit spool of its own, and 5 s to stop (as {@link TestServer}), not 30.
   */
  public static ServerConfig.Builder config(String databaseUrl) {
    return ServerConfig.builder()
        .auditSpoolDir(TestDependencies.scratchDir("audit-spool-"))
        .databaseUrl(databaseUrl)
        .redisUrl(TestDependencies.redisUrl())
        .masterKey(new byte[32])
        .metricsPort(0)
        .authDisabled(true)
        .shutdownGrace(Duration.ofSeconds(5));
  }

  public static InProcessApp start(ServerConfig config) {
    String name = "app-" + UUID.randomUUID();
    Application app = Application.start(config, InProcessServerBuilder.forName(name));
    return new InProcessApp(app, InProcessChannelBuilder.forName(name).build());
  }

  /** {@link #start(ServerConfig)} with {@link #config(String)} unchanged. */
  public static InProcessApp start(String databaseUrl) {
    return start(config(databaseUrl).build());
  }

  @Override
  public void close() {
    channel.shutdownNow();
    app.close();
  }
}
