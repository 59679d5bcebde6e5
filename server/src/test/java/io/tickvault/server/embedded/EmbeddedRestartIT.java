package io.tickvault.server.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default after {@code kill -9} of the server: its PostgreSQL and Redis die with it,
 * and when they could not (their watchdog killed too), the next start stops them; either way a
 * restart on the same data dir just works and finds the data. Its PostgreSQL commits durably.
 */
class EmbeddedRestartIT {
  @TempDir
  Path dir;

  @Test
  void killMinus9_childrenDieWithTheServer_andARestartFindsTheData() throws Exception {
    Path data = dir.resolve("data");
    try (ServerProcess server = ServerProcess.startEmbedded(data, Map.of())) {
      putExchange(server, 5, "kraken");
      ProcessHandle postgres = pidIn(data.resolve("postgres/postmaster.pid")).orElseThrow();
      ProcessHandle redis = pidIn(data.resolve("redis.pid")).orElseThrow();
      assertThat(postgres.isAlive()).isTrue();
      assertThat(redis.isAlive()).isTrue();

      // Durable: the embedded library's defaults (-F: fsync off; synchronous_commit off) overridden.
      assertThat(Files.readString(data.resolve("postgres/postmaster.opts")))
          .contains("\"fsync=on\"").contains("\"synchronous_commit=on\"");

      server.kill();

      assertThat(diesWithin(postgres, Duration.ofSeconds(30))).as("embedded PostgreSQL stopped").isTrue();
      assertThat(diesWithin(redis, Duration.ofSeconds(30))).as("embedded Redis stopped").isTrue();
      server.restart();
      assertThat(exchanges(server)).contains("kraken");
    }
  }

  @Test
  void killMinus9_withItsWatchdogToo_theNextStartStopsWhatWasLeftRunning() throws Exception {
    Path data = dir.resolve("data");
    try (ServerProcess server = ServerProcess.startEmbedded(data, Map.of())) {
      putExchange(server, 6, "bitstamp");
      ProcessHandle postgres = pidIn(data.resolve("postgres/postmaster.pid")).orElseThrow();
      ProcessHandle redis = pidIn(data.resolve("redis.pid")).orElseThrow();
      List<ProcessHandle> watchdogs = server.handle().children()
          .filter(p -> LeftoverProcesses.commandLine(p).contains("kill -0")).toList();
      assertThat(watchdogs).hasSize(2);

      watchdogs.forEach(ProcessHandle::destroyForcibly); // as on a platform without sh
      server.kill();
      assertThat(postgres.isAlive()).as("left running by the killed server").isTrue();

      server.restart();

      assertThat(postgres.isAlive()).isFalse();
      assertThat(redis.isAlive()).isFalse();
      assertThat(exchanges(server)).contains("bitstamp");
      assertThat(Files.readString(server.log().toPath()))
          .contains("stopping the embedded PostgreSQL (pid " + postgres.pid() + ") that a previous run left running")
          .contains("stopping the embedded Redis (pid " + redis.pid() + ") that a previous run left running");
    }
  }

  private static void putExchange(ServerProcess server, int id, String code) {
    MarketServiceGrpc.newBlockingStub(server.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .putExchange(PutExchangeRequest.newBuilder().setExchangeId(id).setCode(code).build());
  }

  private static List<String> exchanges(ServerProcess server) {
    return MarketServiceGrpc.newBlockingStub(server.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance()).getExchangesList().stream()
        .map(e -> e.getCode()).toList();
  }

  private static Optional<ProcessHandle> pidIn(Path file) throws Exception {
    return ProcessHandle.of(Long.parseLong(Files.readAllLines(file).get(0).trim()));
  }

  private static boolean diesWithin(ProcessHandle process, Duration timeout) throws InterruptedException {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return !process.isAlive();
    }
  }
}
