package io.tickvault.server.orderbook;

import static io.tickvault.server.orderbook.OrderBookCalls.assertStoredExactly;
import static io.tickvault.server.orderbook.OrderBookCalls.headersWithoutTheirLevels;
import static io.tickvault.server.orderbook.OrderBookCalls.ingest;
import static io.tickvault.server.orderbook.OrderBookCalls.levelsWithoutHeader;
import static io.tickvault.server.orderbook.OrderBookCalls.registerMarket;
import static io.tickvault.server.orderbook.OrderBookCalls.snapshots;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Order book streams cut off in the middle, by PostgreSQL going away and by the server being
 * killed: after recovery and a replay of the whole stream, every snapshot is stored exactly once
 * with exactly its levels, and at no point is a header stored without its levels.
 */
class OrderBookFaultsIT {
  /** Long enough a stream (about 300,000 level rows) to be cut while it is being written. */
  private static final int SNAPSHOTS = 30_000;
  private static final int DEPTH = 5;

  @Test
  void postgresStoppedMidStream_thenReplayed_storesEverySnapshotOnceWithItsLevels() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start()) {
      TestDatabase db = new TestDatabase(postgres.url());
      db.create();
      try (InProcessApp app = InProcessApp.start(InProcessApp.config(db.url())
          .shutdownGrace(Duration.ofSeconds(2))
          .build())) {
        ManagedChannel channel = app.channel();
        registerMarket(channel, 1, 1);
        List<OrderBookSnapshot> stream = snapshots(0, SNAPSHOTS, DEPTH);

        CompletableFuture<IngestOrderBooksResponse> cut = ingestInBackground(channel, stream);
        awaitSomeStored(db.jdbc(), cut);
        postgres.stop();

        assertFailedWith(cut, Status.Code.UNAVAILABLE);
        postgres.restart();
        db.dataSource().getHikariPoolMXBean().softEvictConnections(); // the test's own connections died too
        assertThat(headersWithoutTheirLevels(db.jdbc())).isZero();
        assertThat(levelsWithoutHeader(db.jdbc())).isZero();

        IngestOrderBooksResponse replay = replay(channel, stream);
        assertThat(replay.getInserted()).isLessThan(SNAPSHOTS); // some were committed before the cut
        assertThat(replay.getInserted() + replay.getDuplicates()).isEqualTo(SNAPSHOTS);
        assertStoredExactly(db.jdbc(), stream);
      } finally {
        db.drop();
      }
    }
  }

  @Test
  void serverKilledMidStream_thenRestartedAndReplayed_storesEverySnapshotOnceWithItsLevels() throws Exception {
    TestDatabase db = new TestDatabase();
    db.create();
    try (ServerProcess server = ServerProcess.start(db.url())) {
      registerMarket(server.channel(), 1, 1);
      List<OrderBookSnapshot> stream = snapshots(0, SNAPSHOTS, DEPTH);

      CompletableFuture<IngestOrderBooksResponse> cut = ingestInBackground(server.channel(), stream);
      awaitSomeStored(db.jdbc(), cut);
      server.kill();

      assertFailedWith(cut, Status.Code.UNAVAILABLE);
      assertThat(headersWithoutTheirLevels(db.jdbc())).isZero();
      assertThat(levelsWithoutHeader(db.jdbc())).isZero();

      server.restart();
      IngestOrderBooksResponse replay = replay(server.channel(), stream);
      assertThat(replay.getInserted()).isLessThan(SNAPSHOTS);
      assertThat(replay.getInserted() + replay.getDuplicates()).isEqualTo(SNAPSHOTS);
      assertStoredExactly(db.jdbc(), stream);
    } finally {
      db.drop();
    }
  }

  private static CompletableFuture<IngestOrderBooksResponse> ingestInBackground(Channel channel, List<OrderBookSnapshot> stream) {
    CompletableFuture<IngestOrderBooksResponse> result = new CompletableFuture<>();
    Thread writer = new Thread(() -> {
      try {
        result.complete(ingest(channel, stream));
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, "orderbook-writer");
    writer.setDaemon(true);
    writer.start();
    return result;
  }

  /** Waits (bounded) until the first batches are committed, while the stream is still going. */
  private static void awaitSomeStored(Jdbc jdbc, CompletableFuture<?> stream) {
    Eventually.await("a snapshot stored", Duration.ofSeconds(60),
        () -> jdbc.queryOne("SELECT count(*) FROM orderbook_snapshots", r -> r.getLong(1)).orElseThrow() > 0);
    assertThat(stream).as("the stream must still be running when the fault strikes").isNotDone();
  }

  private static void assertFailedWith(CompletableFuture<?> stream, Status.Code code) throws InterruptedException {
    try {
      Object summary = stream.get(60, TimeUnit.SECONDS);
      throw new AssertionError("the stream was expected to fail with " + code + ", but completed: " + summary);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
      assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode()).isEqualTo(code);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the stream neither failed nor completed within 60 s", e);
    }
  }

  /** What a worker does: replay the whole stream, again while the server answers UNAVAILABLE. */
  private static IngestOrderBooksResponse replay(Channel channel, List<OrderBookSnapshot> stream) {
    return Eventually.poll("a replay the server does not answer UNAVAILABLE", Duration.ofSeconds(60), () -> {
      try {
        return ingest(channel, stream);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
          throw e;
        }
        return null; // retried, as a worker would
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }, Objects::nonNull);
  }
}
