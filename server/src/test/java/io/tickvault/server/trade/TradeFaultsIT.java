package io.tickvault.server.trade;

import static io.tickvault.server.trade.TradeCalls.countTrades;
import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.GetCoverageRequest;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.TimeRange;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nothing lost, nothing duplicated: PostgreSQL stopped, the server killed, concurrent replays; and
 * a coverage claim never stored ahead of the trades sent before it.
 */
class TradeFaultsIT {
  private static final int REQUESTS = 200;
  private static final int TRADES_PER_REQUEST = 500;

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @Test
  void postgresStoppedMidStream_failsUnavailable_keepsWhatWasAcked_andAReplayLeavesExactlyTheDistinctTrades()
      throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start()) {
      try (InProcessApp app = InProcessApp.start(postgres.url())) {
        ManagedChannel channel = app.channel();
        Jdbc jdbc = new Jdbc(app.app().dataSource());
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
        assertThat(first.values()).hasSizeBetween(6, REQUESTS - 1);
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
          StreamSender replay = Eventually.poll("a replay the server does not answer UNAVAILABLE", Duration.ofSeconds(30),
              () -> {
                StreamSender attempt = StreamSender.start(channel, requests, ack -> { });
                Status end = attempt.awaitEnd();
                if (end.getCode() == Status.Code.UNAVAILABLE) {
                  return null;
                }
                assertThat(end.getCode()).isEqualTo(Status.Code.OK);
                return attempt;
              }, Objects::nonNull);
          assertThat(replay.values()).hasSize(REQUESTS);
          assertThat(countTrades(check)).isEqualTo((long) REQUESTS * TRADES_PER_REQUEST);
          assertThat(storedIds(check)).isEqualTo(allIds(requests));
          assertThat(replay.values().stream().mapToLong(a -> a.getInserted() + a.getDuplicates()).sum())
              .isEqualTo((long) REQUESTS * TRADES_PER_REQUEST);
        }
      }
    }
  }

  @Test
  void serverKilledMidStream_restarted_andAReplayLeavesExactlyTheDistinctTrades() throws Exception {
    database.truncate("trades");
    try (ServerProcess server = ServerProcess.start(database.url())) {
      ManagedChannel channel = server.channel();
      registerMarket(channel, 1, 1);
      List<List<Trade>> requests = StreamSender.requests(1_000_000, REQUESTS, TRADES_PER_REQUEST);

      CompletableFuture<Void> killed = new CompletableFuture<>();
      StreamSender first = StreamSender.start(channel, requests, ack -> {
        if (ack.getRequestIndex() == 5) {
          // SIGKILL: no shutdown hook, no grace period. Not on the ack's own thread: kill() waits.
          CompletableFuture.runAsync(() -> {
            server.kill();
            killed.complete(null);
          });
        }
      });
      Status status = first.awaitEnd();
      killed.get(1, TimeUnit.MINUTES);
      assertThat(server.isAlive()).isFalse();

      assertThat(status.getCode()).as("%s", status).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(first.values()).hasSizeBetween(6, REQUESTS - 1);
      assertThat(storedIds(database.jdbc())).containsAll(first.acknowledgedTradeIds());

      server.restart();
      StreamSender replay = StreamSender.start(channel, requests, ack -> { });
      assertThat(replay.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
      assertThat(countTrades(database.jdbc())).isEqualTo((long) REQUESTS * TRADES_PER_REQUEST);
      assertThat(storedIds(database.jdbc())).isEqualTo(allIds(requests));
    }
  }

  @Test
  void eightConcurrentStreamsReplayingOverlappingRanges_insertEachDistinctTradeExactlyOnce() throws Exception {
    database.truncate("trades");
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try (InProcessApp app = InProcessApp.start(database.url())) {
      ManagedChannel channel = app.channel();
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
          assertThat(sender.values()).hasSize(60);
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
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void concurrentStreamsSendingTheSameTradesInDifferentOrders_neverDeadlock() throws Exception {
    database.truncate("trades");
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try (InProcessApp app = InProcessApp.start(database.url())) {
      ManagedChannel channel = app.channel();
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
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void serverKilledWhileEachRequestClaimsItsRange_afterRestartEveryStoredClaimHasItsTrades_andEveryAckedClaimIsStored()
      throws Exception {
    database.truncate("trades", "feed_coverage");
    try (ServerProcess server = ServerProcess.start(database.url())) {
      ManagedChannel channel = server.channel();
      registerMarket(channel, 1, 1);
      List<List<Trade>> requests = timed(StreamSender.requests(2_000_000, REQUESTS, TRADES_PER_REQUEST));
      List<CoverageClaim> claims = requests.stream().map(TradeFaultsIT::claimOf).toList();

      CompletableFuture<Void> killed = new CompletableFuture<>();
      StreamSender first = StreamSender.start(channel, requests, claims, ack -> {
        if (ack.getRequestIndex() == 5) {
          CompletableFuture.runAsync(() -> { // SIGKILL: claims of batches in flight die with the server
            server.kill();
            killed.complete(null);
          });
        }
      });
      Status status = first.awaitEnd();
      killed.get(1, TimeUnit.MINUTES);
      assertThat(status.getCode()).as("%s", status).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(first.values()).hasSizeBetween(6, REQUESTS - 1)
          .as("an ack counts its request's claim").allMatch(ack -> ack.getCoverageStored() == 1);
      server.restart();

      List<TimeRange> covered = coverage(channel);
      int lastStored = -1;
      for (int i = 0; i < REQUESTS; i++) {
        if (covers(covered, claims.get(i))) {
          lastStored = i;
        }
      }
      for (IngestTradesAck ack : first.values()) {
        assertThat(covers(covered, claims.get((int) ack.getRequestIndex())))
            .as("the claim of acknowledged request %d is stored", ack.getRequestIndex()).isTrue();
      }
      assertThat(lastStored).as("the last request whose claim is stored").isGreaterThanOrEqualTo(first.values().size() - 1);
      assertThat(storedIds(database.jdbc())).as("every trade sent before the last stored claim")
          .containsAll(allIds(requests.subList(0, lastStored + 1)));
      assertThat(covered).as("nothing claimed beyond what was stored")
          .containsExactly(range(claims.get(0).getFromTimeMs(), claims.get(lastStored).getUntilTimeMs()));
    }
  }

  @Test
  void postgresStoppedBeforeABatchCommits_itsClaimIsNotVisibleAfterRecovery_andTheClaimAckedBeforeItIs() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start()) {
      try (InProcessApp app = InProcessApp.start(postgres.url())) {
        ManagedChannel channel = app.channel();
        registerMarket(channel, 1, 1);
        List<List<Trade>> requests = timed(StreamSender.requests(0, 2, TRADES_PER_REQUEST));
        List<CoverageClaim> claims = requests.stream().map(TradeFaultsIT::claimOf).toList();
        StreamSender committed = StreamSender.start(channel, requests.subList(0, 1), claims.subList(0, 1), ack -> { });
        assertThat(committed.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
        assertThat(committed.values()).extracting(IngestTradesAck::getCoverageStored).containsExactly(1L);

        postgres.stop();
        StreamSender lost = StreamSender.start(channel, requests.subList(1, 2), claims.subList(1, 2), ack -> { });
        Status status = lost.awaitEnd();
        postgres.restart();

        assertThat(status.getCode()).as("%s", status).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(lost.values()).isEmpty();
        try (HikariDataSource fresh = Database.openPool(postgres.url(), null, null, 1)) {
          Jdbc check = new Jdbc(fresh);
          assertThat(check.queryOne("SELECT covered::text FROM feed_coverage", row -> row.getString(1)))
              .contains("{[" + claims.get(0).getFromTimeMs() + "," + claims.get(0).getUntilTimeMs() + ")}");
          assertThat(countTrades(check)).isEqualTo(TRADES_PER_REQUEST);
        }
        // The server's pool may still hold connections from before the restart: asked again until it answers.
        List<TimeRange> covered = Eventually.poll("GetCoverage answered after the restart", Duration.ofSeconds(30), () -> {
          try {
            return coverage(channel);
          } catch (StatusRuntimeException e) {
            return null;
          }
        }, Objects::nonNull);
        assertThat(covered).containsExactly(range(claims.get(0).getFromTimeMs(), claims.get(0).getUntilTimeMs()));
      }
    }
  }

  /** The same trades, trade k of the list at TradeCalls.TIME + k ms, so that each request has a range of its own. */
  private static List<List<Trade>> timed(List<List<Trade>> requests) {
    List<List<Trade>> timed = new ArrayList<>();
    long k = 0;
    for (List<Trade> request : requests) {
      List<Trade> trades = new ArrayList<>();
      for (Trade trade : request) {
        trades.add(trade.toBuilder().setTradeTimeMs(TradeCalls.TIME + k++).build());
      }
      timed.add(trades);
    }
    return timed;
  }

  /** The claim a worker would send with a request: from its first trade's time to just after its last. */
  private static CoverageClaim claimOf(List<Trade> request) {
    return CoverageClaim.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
        .setFromTimeMs(request.get(0).getTradeTimeMs())
        .setUntilTimeMs(request.get(request.size() - 1).getTradeTimeMs() + 1).build();
  }

  private static List<TimeRange> coverage(ManagedChannel channel) {
    return QueryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getCoverage(GetCoverageRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
            .setChannel(Channel.CHANNEL_TRADES).setStartTimeMs(TradeCalls.TIME - 1_000)
            .setEndTimeMs(TradeCalls.TIME + 1_000_000).build())
        .getCoveredList();
  }

  private static boolean covers(List<TimeRange> covered, CoverageClaim claim) {
    return covered.stream().anyMatch(r -> r.getFromTimeMs() <= claim.getFromTimeMs() && claim.getUntilTimeMs() <= r.getUntilTimeMs());
  }

  private static TimeRange range(long from, long until) {
    return TimeRange.newBuilder().setFromTimeMs(from).setUntilTimeMs(until).build();
  }

  private static Set<String> storedIds(Jdbc jdbc) {
    return new HashSet<>(jdbc.query("SELECT trade_id FROM trades", row -> row.getString(1)));
  }

  private static Set<String> allIds(List<List<Trade>> requests) {
    Set<String> ids = new HashSet<>();
    requests.forEach(r -> r.forEach(t -> ids.add(t.getTradeId())));
    return ids;
  }
}
