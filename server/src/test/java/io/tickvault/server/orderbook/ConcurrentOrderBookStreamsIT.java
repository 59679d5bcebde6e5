package io.tickvault.server.orderbook;

import static io.tickvault.server.orderbook.OrderBookCalls.assertStoredExactly;
import static io.tickvault.server.orderbook.OrderBookCalls.ingest;
import static io.tickvault.server.orderbook.OrderBookCalls.registerMarket;
import static io.tickvault.server.orderbook.OrderBookCalls.snapshots;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.server.testing.TestServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several workers replaying overlapping ranges of snapshots at the same time, over a real port. */
class ConcurrentOrderBookStreamsIT {
  private static final int STREAMS = 4;
  private static final int PER_STREAM = 1500;
  private static final int STEP = 500;

  @RegisterExtension
  static TestServer server = TestServer.netty();

  @Test
  void fourStreamsOfOverlappingSnapshots_storeEachOnce_andTheCountsAddUp() throws Exception {
    registerMarket(server.channel(), 1, 1);
    List<List<OrderBookSnapshot>> streams = new ArrayList<>();
    for (int k = 0; k < STREAMS; k++) {
      // Stream k sends snapshots [500k, 500k + 1500) in an order of its own: each snapshot but the
      // first and last 500 is sent by two or three streams at once.
      List<OrderBookSnapshot> mine = new ArrayList<>(snapshots((long) k * STEP, (long) k * STEP + PER_STREAM, 10));
      Collections.shuffle(mine, new Random(k));
      streams.add(mine);
    }
    int distinct = (STREAMS - 1) * STEP + PER_STREAM;

    ExecutorService pool = Executors.newFixedThreadPool(STREAMS);
    List<IngestOrderBooksResponse> summaries = new ArrayList<>();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<IngestOrderBooksResponse>> calls = new ArrayList<>();
      for (List<OrderBookSnapshot> stream : streams) {
        calls.add(pool.submit(() -> {
          start.await();
          return ingest(server.channel(), stream);
        }));
      }
      start.countDown();
      for (Future<IngestOrderBooksResponse> call : calls) {
        summaries.add(call.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(summaries).allSatisfy(s -> {
      assertThat(s.getReceived()).isEqualTo(PER_STREAM);
      assertThat(s.getInserted() + s.getDuplicates()).isEqualTo(PER_STREAM);
      assertThat(s.getRejected()).isZero();
    });
    assertThat(summaries.stream().mapToLong(IngestOrderBooksResponse::getInserted).sum()).isEqualTo(distinct);
    assertThat(summaries.stream().mapToLong(IngestOrderBooksResponse::getDuplicates).sum())
        .isEqualTo((long) STREAMS * PER_STREAM - distinct);
    assertStoredExactly(server.database().jdbc(), snapshots(0, distinct, 10));
  }
}
