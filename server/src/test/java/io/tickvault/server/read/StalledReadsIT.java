package io.tickvault.server.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReadTradesRequest;
import io.tickvault.api.v1.ReadTradesResponse;
import io.tickvault.server.metrics.Scrape;
import io.tickvault.server.testing.Ports;
import io.tickvault.server.testing.RawHttp2;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import io.tickvault.server.trade.TradeCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read streams whose client never takes a byte: 2 connections of raw HTTP/2 that announce a stream
 * window of one byte and never send WINDOW_UPDATE, 100 ReadTrades streams each, over 200,000 trades,
 * against the real server in a child JVM at {@code -Xmx256m}, while another client reads every
 * trade. The stalled streams hold a bounded share of the server's memory, are ended once the stall
 * timeout (5 s here) and its grace have passed, and the other client's read succeeds; the server
 * never runs out of direct memory and stays SERVING.
 */
class StalledReadsIT {
  private static final long T0 = TradeCalls.TIME;
  private static final int TRADES = 200_000;
  private static final int CONNECTIONS = 2;
  private static final int STREAMS_PER_CONNECTION = 100;
  private static final int STALL_SECONDS = 5;

  @RegisterExtension
  static TestDatabase db = new TestDatabase();

  @Test
  void streamsThatNeverRead_holdBoundedMemory_andEnd_whileAnotherClientReadsEverything() throws Exception {
    int metricsPort = Ports.free();
    try (ServerProcess server = ServerProcess.start(db.url(), Map.of(
        "TICKVAULT_METRICS_PORT", String.valueOf(metricsPort),
        "TICKVAULT_READ_STALL_TIMEOUT_SECONDS", String.valueOf(STALL_SECONDS)), "256m")) {
      TradeCalls.registerMarket(server.channel(), 1, 1);
      // Inserted by SQL rather than ingested: the test is about reading them, and this takes seconds.
      db.jdbc().execute("""
          INSERT INTO trades
          SELECT 1, 1, 'trade-' || lpad(g::text, 7, '0'), 100 + (g % 997) / 100.0, 0.5 + (g % 13) / 10.0, 1 + g % 2,
                 ? + g, ? + g
            FROM generate_series(1, ?) g
          """, T0, T0, TRADES);
      ExecutorService threads = Executors.newCachedThreadPool();
      AtomicLong peakDirectBytes = new AtomicLong();
      CompletableFuture<Void> stopSampling = new CompletableFuture<>();
      threads.submit(() -> sampleDirectMemory(metricsPort, peakDirectBytes, stopSampling));
      try {
        long attackStart = System.nanoTime();
        List<Future<Map<Integer, Ended>>> attacks = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
          attacks.add(threads.submit(() -> streamsThatNeverRead(server.port(), attackStart)));
        }
        Thread.sleep(2_000); // the stalled streams take what the server gives them first

        long readStart = System.nanoTime();
        Future<Long> read = threads.submit(() -> readEverything(server));
        String readOutcome;
        long tradesRead = 0;
        try {
          tradesRead = read.get(120, TimeUnit.SECONDS);
          readOutcome = tradesRead + " trades in " + millisSince(readStart) + " ms";
        } catch (java.util.concurrent.ExecutionException e) {
          readOutcome = "failed after " + millisSince(readStart) + " ms: " + e.getCause();
        }

        Map<String, Integer> endings = new TreeMap<>();
        long lastEndMillis = 0;
        int ended = 0;
        for (Future<Map<Integer, Ended>> attack : attacks) {
          for (Ended end : attack.get(120, TimeUnit.SECONDS).values()) {
            endings.merge(end.how(), 1, Integer::sum);
            lastEndMillis = Math.max(lastEndMillis, end.afterMillis());
            ended++;
          }
        }
        stopSampling.complete(null);
        boolean alive = server.isAlive();
        String log = Files.readString(server.log().toPath());
        boolean outOfMemory = log.contains("OutOfMemoryError");
        ServingStatus health = alive ? HealthGrpc.newBlockingStub(server.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus() : null;
        System.out.printf("%d ReadTrades streams that never read, over %d trades at -Xmx256m: %d ended, the last after %d ms"
                + " %s; the other client's read: %s; direct buffers at most %.1f MiB; OutOfMemoryError in the log: %s;"
                + " health %s%n", CONNECTIONS * STREAMS_PER_CONNECTION, TRADES, ended, lastEndMillis, endings,
            readOutcome, peakDirectBytes.get() / 1048576.0, outOfMemory, health);

        assertThat(readOutcome).as("the other client's read").startsWith(TRADES + " trades");
        assertThat(tradesRead).isEqualTo(TRADES);
        assertThat(outOfMemory).as("an OutOfMemoryError in the server's log").isFalse();
        assertThat(health).isEqualTo(ServingStatus.SERVING);
        assertThat(ended).as("stalled streams ended by the server").isEqualTo(CONNECTIONS * STREAMS_PER_CONNECTION);
        assertThat(lastEndMillis).as("ms until the last stalled stream was ended")
            .isLessThan(Duration.ofSeconds(STALL_SECONDS + PagedStream.RESET_GRACE.toSeconds() + 20).toMillis());
        assertThat(peakDirectBytes.get()).as("direct buffer bytes in use").isLessThan(128L * 1024 * 1024);
      } finally {
        stopSampling.complete(null);
        threads.shutdownNow();
      }
    }
  }

  /** How a stalled stream ended, and when (ms from the start of the attack). */
  private record Ended(String how, long afterMillis) {}

  /** Opens the streams of one connection, then waits for the server to end them; never takes a byte. */
  private static Map<Integer, Ended> streamsThatNeverRead(int port, long attackStart) throws IOException {
    byte[] request = RawHttp2.grpcMessage(ReadTradesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1)
        .setStartTimeMs(T0).build().toByteArray());
    try (RawHttp2 client = RawHttp2.connectWithWindow(port, 1)) {
      // A few at a time, each asked again when the server is too busy to take it, as a patient
      // attacker would: every stream ends up answered, its first pages on their way.
      List<Integer> streams = new ArrayList<>();
      long openUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (streams.size() < STREAMS_PER_CONNECTION && System.nanoTime() < openUntil) {
        Set<Integer> wave = new java.util.HashSet<>();
        for (int i = streams.size(); i < Math.min(STREAMS_PER_CONNECTION, streams.size() + 10); i++) {
          int stream = client.headers(RawHttp2.grpcRequest("/tickvault.v1.QueryService/ReadTrades"), false);
          client.data(stream, request, true);
          wave.add(stream);
        }
        client.awaitAnswers(wave, Duration.ofSeconds(10)).forEach((stream, answer) -> {
          if (answer.answered()) {
            streams.add(stream);
          }
        });
      }
      Map<Integer, Ended> ends = new TreeMap<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (ends.size() < streams.size() && System.nanoTime() < deadline) {
        Set<Integer> open = Set.copyOf(streams.stream().filter(s -> !ends.containsKey(s)).toList());
        Map<Integer, RawHttp2.End> batch = client.awaitEnds(open, Duration.ofNanos(deadline - System.nanoTime()));
        if (batch.isEmpty()) {
          break;
        }
        batch.forEach((stream, end) -> ends.put(stream, new Ended(
            end.headers() == null ? "RST_STREAM " + end.resetCode() : "grpc-status " + end.grpcStatus(),
            millisSince(attackStart))));
      }
      return ends;
    }
  }

  /** Reads every trade of the market through a well-behaved client; returns how many came. */
  private static long readEverything(ServerProcess server) {
    Iterator<ReadTradesResponse> pages = QueryServiceGrpc.newBlockingStub(server.channel())
        .withDeadlineAfter(110, TimeUnit.SECONDS)
        .readTrades(ReadTradesRequest.newBuilder().setExchangeId(1).setCurrencyPairNo(1).setStartTimeMs(T0).build());
    long count = 0;
    String last = "";
    while (pages.hasNext()) {
      for (var trade : pages.next().getTradesList()) {
        assertThat(trade.getTradeId()).isGreaterThan(last);
        last = trade.getTradeId();
        count++;
      }
    }
    return count;
  }

  private static Void sampleDirectMemory(int metricsPort, AtomicLong peak, CompletableFuture<Void> stop) {
    while (!stop.isDone()) {
      try {
        Scrape.of(metricsPort).value("jvm_buffer_pool_used_bytes", "pool", "direct")
            .ifPresent(bytes -> peak.accumulateAndGet((long) bytes, Math::max));
      } catch (IOException e) {
        // a scrape that fails under load is skipped; the next one counts
      } catch (InterruptedException e) {
        return null;
      }
      try {
        stop.get(200, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // sample again
      } catch (Exception e) {
        return null;
      }
    }
    return null;
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
