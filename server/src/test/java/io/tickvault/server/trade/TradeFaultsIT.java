package io.tickvault.server.trade;

import static io.tickvault.server.trade.TradeCalls.countTrades;
import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.Application;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.Ports;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.testing.TestDependencies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Nothing lost, nothing duplicated: PostgreSQL stopped, the server killed, concurrent replays. */
class TradeFaultsIT {
  private static final int REQUESTS = 200;
  private static final int TRADES_PER_REQUEST = 500;

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @Test
  void postgresStoppedMidStream_failsUnavailable_keepsWhatWasAcked_andAReplayLeavesExactlyTheDistinctTrades()
      throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start()) {
      String name = "faults-" + UUID.randomUUID();
      ServerConfig config = ServerConfig.builder()
          .databaseUrl(postgres.url())
          .redisUrl(TestDependencies.redisUrl())
          .masterKey(new byte[32])
          .metricsPort(0)
          .authDisabled(true)
          .shutdownGrace(Duration.ofSeconds(5))
          .build();
      try (Application app = Application.start(config, InProcessServerBuilder.forName(name))) {
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        Jdbc jdbc = new Jdbc(app.dataSource());
        jdbc.execute("TRUNCATE trades");
        registerMarket(channel, 1, 1);
        List<List<Trade>> requests = StreamSender.requests(0, REQUESTS, TRADES_PER_REQUEST);

        CompletableFuture<Void> stopped = new CompletableFuture<>();
        StreamSender first = StreamSender.start(channel, requests, ack -> {
          if (ack.getRequestIndex() == 5) {
            CompletableFuture.runAsync(() -> {
              postgres.stop();
              stopped.complete(null);
            });
          }
        });
        Status status = first.awaitEnd();
        stopped.get(1, TimeUnit.MINUTES);

        assertThat(status.getCode()).as("%s", status).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(first.acks).hasSizeBetween(6, REQUESTS - 1);
        postgres.restart();
        try (HikariDataSource fresh = Database.openPool(postgres.url(), null, null, 1)) {
          Jdbc check = new Jdbc(fresh);
          assertThat(storedIds(check)).containsAll(first.acknowledgedTradeIds());
          assertThat(countTrades(check)).as("acked inserts are committed").isGreaterThanOrEqualTo(first.insertedSum());

          // The server's pool may still hand out connections from before the restart (one per
          // pooled connection at most, each then evicted): the call fails UNAVAILABLE, and the
          // client does what clients do, it replays again.
          // New connections come as HikariCP's backoff allows (up to 5 s apart after a long
          // outage), so the replays are bounded by time, not by a count of attempts.
          StreamSender replay = null;
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (replay == null || System.nanoTime() < deadline) {
            replay = StreamSender.start(channel, requests, ack -> { });
            Status end = replay.awaitEnd();
            if (end.getCode() != Status.Code.UNAVAILABLE) {
              assertThat(end.getCode()).isEqualTo(Status.Code.OK);
              break;
            }
            Thread.sleep(50);
          }
          assertThat(replay.acks).hasSize(REQUESTS);
          assertThat(countTrades(check)).isEqualTo((long) REQUESTS * TRADES_PER_REQUEST);
          assertThat(storedIds(check)).isEqualTo(allIds(requests));
          assertThat(replay.acks.stream().mapToLong(a -> a.getInserted() + a.getDuplicates()).sum())
              .isEqualTo((long) REQUESTS * TRADES_PER_REQUEST);
        }
        channel.shutdownNow();
      }
    }
  }

  @Test
  void serverKilledMidStream_restarted_andAReplayLeavesExactlyTheDistinctTrades() throws Exception {
    database.truncate("trades");
    int port = Ports.free();
    Path log = Files.createTempFile("tickvault-killed-server", ".log");
    Process server = startServer(port, log);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      awaitServing(channel, server, log);
      registerMarket(channel, 1, 1);
      List<List<Trade>> requests = StreamSender.requests(1_000_000, REQUESTS, TRADES_PER_REQUEST);

      Process killed = server;
      StreamSender first = StreamSender.start(channel, requests, ack -> {
        if (ack.getRequestIndex() == 5) {
          killed.destroyForcibly(); // SIGKILL: no shutdown hook, no grace period
        }
      });
      Status status = first.awaitEnd();
      assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();

      assertThat(status.getCode()).as("%s", status).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(first.acks).hasSizeBetween(6, REQUESTS - 1);
      assertThat(storedIds(database.jdbc())).containsAll(first.acknowledgedTradeIds());

      server = startServer(port, log);
      awaitServing(channel, server, log);
      StreamSender replay = StreamSender.start(channel, requests, ack -> { });
      assertThat(replay.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
      assertThat(countTrades(database.jdbc())).isEqualTo((long) REQUESTS * TRADES_PER_REQUEST);
      assertThat(storedIds(database.jdbc())).isEqualTo(allIds(requests));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void eightConcurrentStreamsReplayingOverlappingRanges_insertEachDistinctTradeExactlyOnce() throws Exception {
    database.truncate("trades");
    String name = "concurrent-" + UUID.randomUUID();
    ServerConfig config = ServerConfig.builder()
        .databaseUrl(database.url())
        .redisUrl(TestDependencies.redisUrl())
        .masterKey(new byte[32])
        .metricsPort(0)
        .authDisabled(true)
        .build();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try (Application app = Application.start(config, InProcessServerBuilder.forName(name))) {
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      registerMarket(channel, 1, 1);
      // Stream i covers trades [i * 10,000, i * 10,000 + 30,000): each trade is sent by up to three
      // streams at about the same time.
      List<Future<Long>> inserted = new ArrayList<>();
      Set<String> distinct = new HashSet<>();
      for (int i = 0; i < 8; i++) {
        List<List<Trade>> requests = StreamSender.requests(2_000_000 + i * 10_000L, 60, 500);
        distinct.addAll(allIds(requests));
        inserted.add(clients.submit(() -> {
          StreamSender sender = StreamSender.start(channel, requests, ack -> { });
          assertThat(sender.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
          assertThat(sender.acks).hasSize(60);
          return sender.insertedSum();
        }));
      }
      long sum = 0;
      for (Future<Long> f : inserted) {
        sum += f.get(2, TimeUnit.MINUTES);
      }

      assertThat(distinct).hasSize(100_000);
      assertThat(sum).isEqualTo(distinct.size());
      assertThat(storedIds(database.jdbc())).isEqualTo(distinct);
      channel.shutdownNow();
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void concurrentStreamsSendingTheSameTradesInDifferentOrders_neverDeadlock() throws Exception {
    database.truncate("trades");
    String name = "shuffled-" + UUID.randomUUID();
    ServerConfig config = ServerConfig.builder()
        .databaseUrl(database.url())
        .redisUrl(TestDependencies.redisUrl())
        .masterKey(new byte[32])
        .metricsPort(0)
        .authDisabled(true)
        .build();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try (Application app = Application.start(config, InProcessServerBuilder.forName(name))) {
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      registerMarket(channel, 1, 1);
      // Four workers replay the same 40,000 trades, each in its own random order: without a common
      // lock order their transactions would wait on each other in a cycle (deadlock, 40P01).
      List<Trade> trades = StreamSender.requests(3_000_000, 20, 2_000).stream().flatMap(List::stream).toList();
      List<Future<Long>> inserted = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        List<Trade> shuffled = new ArrayList<>(trades);
        java.util.Collections.shuffle(shuffled, new java.util.Random(i));
        List<List<Trade>> requests = new ArrayList<>();
        for (int from = 0; from < shuffled.size(); from += 2_000) {
          requests.add(shuffled.subList(from, from + 2_000));
        }
        inserted.add(clients.submit(() -> {
          StreamSender sender = StreamSender.start(channel, requests, ack -> { });
          assertThat(sender.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
          return sender.insertedSum();
        }));
      }
      long sum = 0;
      for (Future<Long> f : inserted) {
        sum += f.get(2, TimeUnit.MINUTES);
      }

      assertThat(sum).isEqualTo(trades.size());
      assertThat(countTrades(database.jdbc())).isEqualTo(trades.size());
      channel.shutdownNow();
    } finally {
      clients.shutdownNow();
    }
  }

  private static Set<String> storedIds(Jdbc jdbc) {
    return new HashSet<>(jdbc.query("SELECT trade_id FROM trades", row -> row.getString(1)));
  }

  private static Set<String> allIds(List<List<Trade>> requests) {
    Set<String> ids = new HashSet<>();
    requests.forEach(r -> r.forEach(t -> ids.add(t.getTradeId())));
    return ids;
  }

  /** The real server, {@code io.tickvault.server.Main}, as a child process on the test's classpath. */
  private static Process startServer(int port, Path log) throws Exception {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.tickvault.server.Main");
    Map<String, String> env = builder.environment();
    env.put("TICKVAULT_DATABASE_URL", database.url());
    env.put("TICKVAULT_REDIS_URL", TestDependencies.redisUrl());
    env.put("TICKVAULT_AUTH", "disabled");
    env.put("TICKVAULT_GRPC_PORT", Integer.toString(port));
    env.put("TICKVAULT_BIND_ADDRESS", "127.0.0.1");
    env.put("TICKVAULT_METRICS_PORT", "0");
    env.put("TICKVAULT_MASTER_KEY", Base64.getEncoder().encodeToString(key));
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return builder.start();
  }

  private static void awaitServing(ManagedChannel channel, Process server, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new AssertionError("server exited with " + server.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        if (HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING) {
          return;
        }
      } catch (io.grpc.StatusRuntimeException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new AssertionError("server not serving within 60 s:\n" + Files.readString(log));
  }
}
