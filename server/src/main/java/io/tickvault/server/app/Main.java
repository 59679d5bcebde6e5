package io.tickvault.server.app;

import io.tickvault.api.TickvaultVersion;
import io.tickvault.server.config.ConfigException;
import io.tickvault.server.config.ServerArguments;
import io.tickvault.server.config.ServerArguments.Action;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.config.UnknownVariables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import sun.misc.Signal;

/**
 * {@code java -jar tickvault-server.jar [--debug]}: configuration from the environment, then serve
 * until SIGTERM. A start-up failure is one line on standard error and a non-zero exit (2: the
 * configuration or the command line, 1: anything else); {@code --debug} adds its stack trace and
 * debug logging. {@link ServerArguments} lists the options.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  /** Exit code of a start-up that failed for a reason outside the configuration (a port, the database). */
  static final int CANNOT_START = 1;
  /** Exit code of a configuration or a command line that cannot be used. */
  static final int BAD_CONFIGURATION = 2;

  public static void main(String[] args) throws InterruptedException {
    ServerArguments arguments;
    try {
      arguments = ServerArguments.parse(args);
    } catch (ServerArguments.UsageException e) {
      System.err.println("tickvault: " + e.getMessage());
      System.exit(BAD_CONFIGURATION);
      return;
    }
    if (arguments.action() == Action.HELP || arguments.action() == Action.VERSION) {
      System.out.print(arguments.action() == Action.HELP ? ServerArguments.usage()
          : "tickvault-server " + TickvaultVersion.current() + System.lineSeparator());
      System.exit(0);
      return;
    }
    // grpc-netty logs through java.util.logging (a line per failed connection): to logback, whose
    // levels (io.grpc from WARN up) and format then apply.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    boolean debug = arguments.debug();
    if (debug) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.tickvault")).setLevel(ch.qos.logback.classic.Level.DEBUG);
    }
    UnknownVariables.warnings(System.getenv()).forEach(System.err::println);
    ServerConfig config;
    try {
      config = ServerConfig.fromEnvironment(System.getenv());
    } catch (ConfigException e) {
      System.err.println("tickvault: bad configuration: " + e.getMessage());
      System.exit(BAD_CONFIGURATION);
      return;
    }
    if (arguments.action() == Action.REENCRYPT_API_KEYS) {
      System.exit(reencrypt(config));
      return;
    }
    Application app;
    // HikariCP logs a failed first connection with its whole stack trace; the line below says it.
    ch.qos.logback.classic.Logger hikari = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.zaxxer.hikari");
    ch.qos.logback.classic.Level hikariLevel = hikari.getLevel();
    if (!debug) {
      hikari.setLevel(ch.qos.logback.classic.Level.OFF);
    }
    try {
      app = Application.start(config);
    } catch (ConfigException e) {
      System.err.println("tickvault: bad configuration: " + e.getMessage());
      System.exit(BAD_CONFIGURATION);
      return;
    } catch (RuntimeException e) {
      if (debug) {
        e.printStackTrace();
      }
      System.err.println("tickvault: " + StartupErrors.describe(e, config.database()) + (debug ? "" : " (--debug shows the stack trace)"));
      System.exit(CANNOT_START);
      return;
    } finally {
      hikari.setLevel(hikariLevel);
    }
    // Netty's threads, the scheduler's and any other: what no code caught is logged and counted,
    // never only printed on standard error.
    Thread.setDefaultUncaughtExceptionHandler(app.uncaughtErrors());
    // Handle SIGTERM and SIGINT ourselves rather than in a shutdown hook: a graceful stop is a
    // normal end, so the process exits 0 (a shutdown hook would leave the JVM's 143).
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    Runnable stop = () -> {
      if (!stopping.compareAndSet(false, true)) {
        return; // a second signal while stopping changes nothing
      }
      log.info("stopping: no new calls, ingestion streams end once what they read is committed, "
          + "{} s for other calls in flight", config.shutdownGrace().toSeconds());
      app.close();
      log.info("stopped");
      stopped.countDown();
    };
    Signal.handle(new Signal("TERM"), signal -> stop.run());
    Signal.handle(new Signal("INT"), signal -> stop.run());
    app.blockUntilShutdown();
    // The gRPC server is down as the first step of a stop: wait for the rest (the pool, the
    // embedded PostgreSQL and Redis) before the JVM ends, or they would be cut off half-closed.
    stopped.await();
    System.exit(0);
  }

  /**
   * {@code --reencrypt-api-keys}: every stored secret re-encrypted under TICKVAULT_MASTER_KEY,
   * reading old rows with TICKVAULT_OLD_MASTER_KEYS; exit 0 when none is left under an old key.
   */
  private static int reencrypt(ServerConfig config) {
    try {
      io.tickvault.server.apikeys.ApiKeyReencryption.Result result = Application.reencryptApiKeys(config);
      System.out.printf("re-encrypted %d API key secrets; %d changed meanwhile (already under the new key); %d could not be decrypted%n",
          result.reencrypted(), result.changedMeanwhile(), result.undecryptable());
      return result.undecryptable() == 0 ? 0 : 1;
    } catch (ConfigException e) {
      System.err.println("tickvault: bad configuration: " + e.getMessage());
      return BAD_CONFIGURATION;
    } catch (RuntimeException e) {
      System.err.println("tickvault: " + StartupErrors.describe(e, config.database()));
      return CANNOT_START;
    }
  }
}
