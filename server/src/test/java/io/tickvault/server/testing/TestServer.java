package io.tickvault.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tickvault.server.app.Application;
import io.tickvault.server.config.ServerConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole server as {@code Main} wires it, on a database of its own and the tests' Redis, over
 * the in-process transport or a real Netty port on loopback, with a channel to it. Use as
 * {@code @RegisterExtension static TestServer server = TestServer.inProcess();}.
 */
public final class TestServer implements BeforeAllCallback, AfterAllCallback {
  private final boolean netty;
  private final TestDatabase database;
  private final boolean ownsDatabase;
  private UnaryOperator<ServerConfig.Builder> customizer = UnaryOperator.identity();
  private String redisUrl;
  private Application app;
  private ManagedChannel channel;
  private String inProcessName;
  private Path auditSpoolDir;

  private TestServer(boolean netty, TestDatabase database, boolean ownsDatabase) {
    this.netty = netty;
    this.database = database;
    this.ownsDatabase = ownsDatabase;
  }

  public static TestServer inProcess() {
    return new TestServer(false, new TestDatabase(), true);
  }

  /** On a real Netty port on 127.0.0.1. */
  public static TestServer netty() {
    return new TestServer(true, new TestDatabase(), true);
  }

  /**
   * Another replica on the database of {@code first}, which creates and drops that database and must
   * start first: give both fields {@code @Order} (JUnit's order of extension fields is otherwise not
   * their order in the class).
   */
  public static TestServer inProcessReplicaOf(TestServer first) {
    return new TestServer(false, first.database, false);
  }

  /** Changes the configuration before start (tokens, TTL, TLS...). */
  public TestServer configure(UnaryOperator<ServerConfig.Builder> customizer) {
    this.customizer = customizer;
    return this;
  }

  /** Uses this Redis instead of the tests' shared one (an {@link OwnRedis#url()}). */
  public TestServer redisUrl(String url) {
    this.redisUrl = url;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (ownsDatabase) {
      database.create();
    }
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
    if (ownsDatabase) {
      database.drop();
    }
  }

  /** Starts the server (again) on the same database. */
  public void start() {
    if (database.url() == null) {
      throw new IllegalStateException("the database of this replica's first server is not created yet: order the fields");
    }
    byte[] masterKey = new byte[32];
    new SecureRandom().nextBytes(masterKey);
    if (auditSpoolDir == null) {
      auditSpoolDir = TestDependencies.scratchDir("audit-spool-");
    }
    ServerConfig.Builder builder = ServerConfig.builder()
        .auditSpoolDir(auditSpoolDir)
        .databaseUrl(database.url())
        .redisUrl(redisUrl != null ? redisUrl : TestDependencies.redisUrl())
        .masterKey(masterKey)
        .grpcPort(0)
        .metricsPort(0)
        .bindAddress("127.0.0.1")
        .authDisabled(true)
        .shutdownGrace(java.time.Duration.ofSeconds(5));
    ServerConfig config = customizer.apply(builder).build();
    if (netty) {
      app = Application.start(config);
      channel = NettyChannelBuilder.forAddress("127.0.0.1", app.grpcPort()).usePlaintext().build();
    } else {
      inProcessName = "tickvault-test-" + UUID.randomUUID();
      app = Application.start(config, InProcessServerBuilder.forName(inProcessName));
      channel = InProcessChannelBuilder.forName(inProcessName).directExecutor().build();
    }
  }

  public void stop() {
    if (channel != null) {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      channel = null;
    }
    if (app != null) {
      app.close();
      app = null;
    }
  }

  public ManagedChannel channel() {
    return channel;
  }

  public Application app() {
    return app;
  }

  public TestDatabase database() {
    return database;
  }

  /** The Netty port; only for {@link #netty()} servers. */
  public int port() {
    return app.grpcPort();
  }
}
