package io.tickvault.server;

import io.tickvault.server.config.ConfigException;
import io.tickvault.server.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import sun.misc.Signal;

/** {@code java -jar tickvault-server.jar}: configuration from the environment, then serve until SIGTERM. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    // grpc-netty logs through java.util.logging (a line per failed connection): to logback, whose
    // levels (io.grpc from WARN up) and format then apply.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    ServerConfig config;
    try {
      config = ServerConfig.fromEnvironment(System.getenv());
    } catch (ConfigException e) {
      System.err.println("tickvault: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (java.util.Arrays.asList(args).contains("--reencrypt-api-keys")) {
      System.exit(reencrypt(config));
      return;
    }
    Application app;
    try {
      app = Application.start(config);
    } catch (ConfigException e) {
      System.err.println("tickvault: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    // Handle SIGTERM and SIGINT ourselves rather than in a shutdown hook: a graceful stop is a
    // normal end, so the process exits 0 (a shutdown hook would leave the JVM's 143).
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable stop = () -> {
      if (!stopping.compareAndSet(false, true)) {
        return; // a second signal while stopping changes nothing
      }
      log.info("stopping: no new calls, {} s for calls in flight", config.shutdownGrace().toSeconds());
      app.close();
      log.info("stopped");
      System.exit(0);
    };
    Signal.handle(new Signal("TERM"), signal -> stop.run());
    Signal.handle(new Signal("INT"), signal -> stop.run());
    app.blockUntilShutdown();
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
      return 2;
    }
  }
}
