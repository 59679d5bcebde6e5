package io.tickvault.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real server in a child JVM ({@code java -cp <test classpath> io.tickvault.server.Main}),
 * configured only by environment variables as in production, for fault tests that kill it with
 * SIGKILL ({@link #kill()}) in the middle of a call and start it again on the same database.
 * Its output goes to a log file under {@code target/} ({@link #log()}). A JVM shutdown hook kills
 * it if the test JVM exits first.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private static final String DEFAULT_MAX_HEAP = "512m";

  private final Map<String, String> env;
  private final int port;
  private final Path log;
  private final String maxHeap;
  private Process process;
  private ManagedChannel channel;

  private ServerProcess(Map<String, String> env, int port, Path log, String maxHeap) {
    this.env = env;
    this.port = port;
    this.log = log;
    this.maxHeap = maxHeap;
  }

  /**
   * Starts a server on the database at {@code databaseUrl} (a {@link TestDatabase#url()}), the
   * tests' Redis, a free port, authentication off; {@code extraEnv} adds or overrides variables.
   * Returns once it answers health checks as SERVING.
   */
  public static ServerProcess start(String databaseUrl, Map<String, String> extraEnv) {
    return start(databaseUrl, extraEnv, DEFAULT_MAX_HEAP);
  }

  /** As {@link #start(String, Map)}, with the child's heap capped at {@code maxHeap} ("256m"). */
  public static ServerProcess start(String databaseUrl, Map<String, String> extraEnv, String maxHeap) {
    byte[] masterKey = new byte[32];
    new SecureRandom().nextBytes(masterKey);
    int port = TestDependencies.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("TICKVAULT_DATABASE_URL", databaseUrl);
    env.put("TICKVAULT_REDIS_URL", TestDependencies.redisUrl());
    env.put("TICKVAULT_AUTH", "disabled");
    env.put("TICKVAULT_GRPC_PORT", String.valueOf(port));
    env.put("TICKVAULT_METRICS_PORT", "0");
    env.put("TICKVAULT_BIND_ADDRESS", "127.0.0.1");
    env.put("TICKVAULT_MASTER_KEY", Base64.getEncoder().encodeToString(masterKey));
    env.put("TICKVAULT_SHUTDOWN_GRACE_SECONDS", "5");
    env.putAll(extraEnv);
    try {
      Path dir = Files.createDirectories(Path.of("target", "server-processes"));
      ServerProcess server = new ServerProcess(env, port, Files.createTempFile(dir, "server-" + port + "-", ".log"), maxHeap);
      server.restart();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ServerProcess start(String databaseUrl) {
    return start(databaseUrl, Map.of());
  }

  /** Starts the server (again) with the same environment and port; waits until it is SERVING. */
  public synchronized void restart() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the server is running");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"),
        "io.tickvault.server.Main")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(name -> name.startsWith("TICKVAULT_"));
    builder.environment().putAll(env);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Process started = process;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    awaitServing();
  }

  private void awaitServing() {
    ManagedChannel probe = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      Eventually.await("the server SERVING (see " + log.toAbsolutePath() + ")", START_TIMEOUT, () -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("the server exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
        }
        try {
          return HealthGrpc.newBlockingStub(probe).withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING;
        } catch (StatusRuntimeException notYet) {
          return false; // not listening yet
        }
      });
    } finally {
      probe.shutdownNow();
    }
  }

  /** SIGKILL: the server gets no chance to finish anything. Waits until the process is gone. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the server did not die within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A plaintext channel to the server, the same one across restarts (it reconnects). */
  public synchronized ManagedChannel channel() {
    if (channel == null) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }
    return channel;
  }

  public int port() {
    return port;
  }

  /** The child's process id (for jcmd). */
  public synchronized long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The file that holds the server's output. */
  public File log() {
    return log.toFile();
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
    kill();
  }
}
