package io.tickvault.server.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster of the test's own: six {@code redis-server --cluster-enabled yes} processes on
 * free loopback ports (three masters, three replicas, made with {@code redis-cli --cluster create
 * --cluster-replicas 1}), data and logs in a temporary directory. A fault test may SIGKILL a node
 * ({@link #kill(int)}); its replica takes over after the node timeout. {@link #close()} kills
 * every process and removes the directory; a JVM shutdown hook does the same if the test JVM
 * exits first. Every wait is bounded. Never the machine's shared Redis.
 */
public final class OwnRedisCluster implements AutoCloseable {
  private static final int NODES = 6;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final Map<Integer, Process> nodes = new LinkedHashMap<>();
  private final Thread shutdownHook = new Thread(this::killAll, "own-redis-cluster-stop");

  private OwnRedisCluster(Path dir) {
    this.dir = dir;
  }

  /**
   * Starts the six nodes, creates the cluster and waits until every node says it is ok. Skips the
   * test when {@code redis-server} or {@code redis-cli} cannot be found (see {@link Executables}).
   */
  public static OwnRedisCluster start(Duration nodeTimeout) {
    String install = "install Debian's redis-server and redis-tools (apt-get install redis-server redis-tools)";
    Path server = Executables.require("redis-server", List.of(), install);
    Path cli = Executables.require("redis-cli", List.of(), install);
    OwnRedisCluster cluster;
    try {
      cluster = new OwnRedisCluster(Files.createTempDirectory("tickvault-redis-cluster"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.startNodes(server, nodeTimeout);
      cluster.create(cli);
      cluster.awaitOk();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void startNodes(Path server, Duration nodeTimeout) {
    for (int i = 0; i < NODES; i++) {
      int port = TestDependencies.freePort();
      int busPort = TestDependencies.freePort();
      try {
        Process p = new ProcessBuilder(server.toString(),
            "--port", String.valueOf(port), "--cluster-port", String.valueOf(busPort), "--bind", "127.0.0.1",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
            "--cluster-node-timeout", String.valueOf(nodeTimeout.toMillis()),
            // A replica takes over however long it was cut off: the test kills masters on purpose.
            "--cluster-replica-validity-factor", "0",
            "--save", "", "--appendonly", "no", "--dir", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("node-" + port + ".log").toFile())
            .start();
        nodes.put(port, p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (int port : nodes.keySet()) {
      await("node " + port + " answers PING", () -> "PONG".equals(tryCommand(port, c -> c.sync().ping())));
    }
  }

  private void create(Path cli) {
    List<String> command = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
    nodes.keySet().forEach(port -> command.add("127.0.0.1:" + port));
    command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("create.log").toFile()).start();
      if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("redis-cli --cluster create took longer than " + START_TIMEOUT);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.log")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits until every live node reports {@code cluster_state:ok} and agrees on who serves every slot. */
  public void awaitOk() {
    await("every live node reports cluster_state:ok", () -> livePorts().stream().allMatch(port -> {
      String info = tryCommand(port, c -> c.sync().clusterInfo());
      return info != null && info.contains("cluster_state:ok");
    }));
  }

  /** The seed nodes, as {@code TICKVAULT_REDIS_URL} takes them. */
  public String urls() {
    return nodes.keySet().stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  /** The ports of the nodes not killed. */
  public List<Integer> livePorts() {
    return nodes.entrySet().stream().filter(e -> e.getValue().isAlive()).map(Map.Entry::getKey).toList();
  }

  /** The cluster's view of itself, as a live node tells it. */
  public Partitions partitions() {
    for (int port : livePorts()) {
      String nodesText = tryCommand(port, c -> c.sync().clusterNodes());
      if (nodesText != null) {
        return ClusterPartitionParser.parse(nodesText);
      }
    }
    throw new AssertionError("no live node answers CLUSTER NODES");
  }

  /** The port of the master that serves this key's slot now. */
  public int masterPortOf(String key) {
    RedisClusterNode master = partitions().getMasterBySlot(SlotHash.getSlot(key));
    if (master == null) {
      throw new AssertionError("no master serves the slot of " + key);
    }
    return master.getUri().getPort();
  }

  /** The ports of the current masters that are alive, in port order. */
  public List<Integer> masterPorts() {
    List<Integer> live = livePorts();
    return partitions().stream()
        .filter(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM) && !n.getSlots().isEmpty())
        .map(n -> n.getUri().getPort()).filter(live::contains).sorted(Comparator.naturalOrder()).toList();
  }

  /** Runs a command on one node; for what tests want to ask a node directly (CLIENT LIST, GET, ...). */
  public <T> T onNode(int port, java.util.function.Function<StatefulRedisConnection<String, String>, T> command) {
    RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(port)
        .withTimeout(Duration.ofSeconds(2)).build());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return command.apply(c);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  private <T> T tryCommand(int port, java.util.function.Function<StatefulRedisConnection<String, String>, T> command) {
    try {
      return onNode(port, command);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** SIGKILLs the node: no shutdown, no goodbye to the cluster, its connections simply drop. */
  public void kill(int port) {
    Process p = nodes.get(port);
    p.destroyForcibly();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("redis-server on port " + port + " did not die within 10 s of SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already exiting
    }
  }

  private synchronized void killAll() {
    for (Process p : nodes.values()) {
      p.destroyForcibly();
    }
    for (Process p : nodes.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) {
    Eventually.await(what, START_TIMEOUT, condition);
  }
}
