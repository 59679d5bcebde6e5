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
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real server in a child JVM ({@code java -cp <test classpath> io.tickvault.server.app.Main},
 * or {@code java -jar} a jar the build made), configured only by environment variables as in
 * production, for fault tests that kill it with SIGKILL ({@link #kill()}) in the middle of a call
 * and start it again on the same database. Its output goes to a log file under {@code target/}
 * ({@link #log()}). A JVM shutdown hook kills it if the test JVM exits first.
 */
public final class ServerProcess implements AutoCloseable {
  // The embedded default starts PostgreSQL, migrates and starts Redis: on a loaded shared machine
  // that has taken over a minute.
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  private static final String DEFAULT_MAX_HEAP = "512m";

  private final List<String> launch;
  private final Map<String, String> env;
  private final int port;
  private final Path log;
  private final String maxHeap;
  private Process process;
  private ManagedChannel channel;

  private ServerProcess(List<String> launch, Map<String, String> env, int port, Path log, String maxHeap) {
    this.launch = launch;
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
    return start(testClasspath(), databaseUrl, extraEnv, maxHeap);
  }

  /** As {@link #start(String, Map)}, running {@code java -jar jar}: a jar as the build made it. */
  public static ServerProcess startJar(Path jar, String databaseUrl, Map<String, String> extraEnv) {
    return start(List.of("-jar", jar.toString()), databaseUrl, extraEnv, DEFAULT_MAX_HEAP);
  }

  private static ServerProcess start(List<String> launch, String databaseUrl, Map<String, String> extraEnv, String maxHeap) {
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
    env.put("TICKVAULT_AUDIT_SPOOL_DIR", TestDependencies.scratchDir("audit-spool-").toString());
    env.putAll(extraEnv);
    try {
      Path dir = Files.createDirectories(Path.of("target", "server-processes"));
      ServerProcess server = new ServerProcess(launch, env, port, Files.createTempFile(dir, "server-" + port + "-", ".log"), maxHeap);
      server.restart();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a server on the embedded default: its own PostgreSQL and Redis, data in {@code dataDir};
   * a free port, authentication off. Returns once it is SERVING.
   */
  public static ServerProcess startEmbedded(Path dataDir, Map<String, String> extraEnv) {
    int port = TestDependencies.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("TICKVAULT_DATA_DIR", dataDir.toString());
    env.put("TICKVAULT_GRPC_PORT", String.valueOf(port));
    env.put("TICKVAULT_METRICS_PORT", "0");
    env.put("TICKVAULT_SHUTDOWN_GRACE_SECONDS", "5");
    env.putAll(extraEnv);
    try {
      Path dir = Files.createDirectories(Path.of("target", "server-processes"));
      ServerProcess server = new ServerProcess(testClasspath(), env, port, Files.createTempFile(dir, "embedded-" + port + "-", ".log"),
          DEFAULT_MAX_HEAP);
      server.restart();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the server with these TICKVAULT_* variables (no other inherited) and {@code args}, expecting it
   * to fail to start: returns its exit code and what it printed on standard error.
   */
  public static Failed startExpectingFailure(Map<String, String> env, String... args) {
    return runExpectingFailure(testClasspath(), env, args);
  }

  /** As {@link #startExpectingFailure}, running {@code java -jar jar}: a jar as the build made it. */
  public static Failed jarExpectingFailure(Path jar, Map<String, String> env, String... args) {
    return runExpectingFailure(List.of("-jar", jar.toString()), env, args);
  }

  private static Failed runExpectingFailure(List<String> launch, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m"));
    command.addAll(launch);
    command.addAll(List.of(args));
    try {
      Path err = Files.createTempFile("tickvault-start-", ".err");
      Path out = Files.createTempFile("tickvault-start-", ".out");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().keySet().removeIf(name -> name.startsWith("TICKVAULT_"));
      builder.environment().putAll(env);
      long started = System.nanoTime();
      Process process = builder.start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("the server did not exit within 90 s; stderr:\n" + Files.readString(err));
      }
      return new Failed(process.exitValue(), Files.readString(err), Files.readString(out),
          Duration.ofNanos(System.nanoTime() - started));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What follows {@code java -Xmx…} to run the server from the test classpath. */
  private static List<String> testClasspath() {
    return List.of("-cp", System.getProperty("java.class.path"), "io.tickvault.server.app.Main");
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** How a start that was meant to fail ended: its exit code, standard error, standard output (the log). */
  public record Failed(int exitCode, String stderr, String stdout, Duration took) {}

  public static ServerProcess start(String databaseUrl) {
    return start(databaseUrl, Map.of());
  }

  /** Starts the server (again) with the same environment and port; waits until it is SERVING. */
  public synchronized void restart() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the server is running");
    }
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx" + maxHeap));
    command.addAll(launch);
    ProcessBuilder builder = new ProcessBuilder(command)
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
    try {
      awaitServing();
    } catch (RuntimeException | Error e) {
      started.destroyForcibly(); // not left running behind a failed test
      throw e;
    }
  }

  private void awaitServing() {
    ManagedChannel probe = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      awaitServing(probe);
    } finally {
      probe.shutdownNow();
    }
    if (channel != null) {
      // The test's channel saw the server die and may be waiting out its reconnect backoff, when a
      // call fails at once with UNAVAILABLE: reconnect it now, so the test's next call reaches the
      // server that is back.
      channel.resetConnectBackoff();
      awaitServing(channel);
    }
  }

  private void awaitServing(ManagedChannel probe) {
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

  /**
   * SIGTERM, as an orchestrator stops a replica: the server ends its streams and exits by itself.
   * Returns its exit code (0 for a clean stop).
   */
  public synchronized int stop() {
    if (process == null) {
      return 0;
    }
    process.destroy(); // SIGTERM on Unix
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the server did not stop within 60 s of SIGTERM; see " + log.toAbsolutePath());
      }
      return process.exitValue();
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

  /** The running server's process (for its pid and children). */
  public synchronized ProcessHandle handle() {
    return process.toHandle();
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
