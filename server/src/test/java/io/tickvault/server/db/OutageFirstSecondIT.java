package io.tickvault.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.GetApiKeysResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.IngestTradesRequest;
import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.ListCurrencyPairsRequest;
import io.tickvault.api.v1.ListCurrencyPairsResponse;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.app.Application;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.InProcessApp;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.Responses;
import io.tickvault.server.trade.TradeCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped while a flood of calls runs, over a real Netty port: every call in flight when
 * it is gone or started in the first second after is answered within a second of that (UNAVAILABLE,
 * or OK when PostgreSQL answered it before it was gone), and calls succeed again once it is back.
 * The flood mixes unary reads that need PostgreSQL (ListCurrencyPairs, GetApiKeys of users no
 * cache holds), short IngestTrades calls and one StreamTrades stream at a time: 35 at once, more
 * than the pool's 10 connections, so that some calls are waiting for a connection when PostgreSQL
 * goes, and few enough that on a shared machine they do not wait a second behind each other anyway.
 */
class OutageFirstSecondIT {
  private static final Duration WINDOW = Duration.ofSeconds(1);
  private static final int CHANNELS = 4;

  @Test
  void everyCallOfTheOutagesFirstSecond_isAnsweredWithinASecond_andCallsSucceedOnceItIsBack() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start();
         Application app = Application.start(InProcessApp.config(postgres.url()).grpcPort(0).bindAddress("127.0.0.1").build())) {
      List<ManagedChannel> channels = new ArrayList<>();
      for (int i = 0; i < CHANNELS; i++) {
        channels.add(NettyChannelBuilder.forAddress("127.0.0.1", app.grpcPort()).usePlaintext().build());
      }
      try {
        TradeCalls.registerMarket(channels.get(0), 1, 1);
        Flood flood = Flood.start(channels);
        Eventually.poll("every kind of call succeeds before the outage", Duration.ofSeconds(60), flood::succeeded,
            counts -> counts.values().stream().allMatch(count -> count >= 10));

        long warm = System.nanoTime();
        Eventually.await("the warm flood runs for a second", Duration.ofSeconds(60),
            () -> System.nanoTime() - warm > WINDOW.toNanos());
        AtomicLong foundDown = new AtomicLong();
        app.healthMonitor().addListener(reachable -> {
          if (!reachable) {
            foundDown.compareAndSet(0, System.nanoTime());
          }
        });
        long stopping = System.nanoTime();
        postgres.stop();
        long gone = System.nanoTime();
        Eventually.await("the flood starts calls for a second of outage", Duration.ofSeconds(60),
            () -> System.nanoTime() - gone > WINDOW.toNanos());
        flood.stop();
        List<Outcome> outcomes = flood.awaitAll(Duration.ofSeconds(60));

        // The outage begins once PostgreSQL is gone: while it shuts down (0.1 s on a quiet machine,
        // 0.5 s on a loaded one) it still answers or fails calls itself.
        List<Outcome> concerned = outcomes.stream()
            .filter(o -> o.end() > gone && o.start() < gone + WINDOW.toNanos())
            .toList();
        Map<Kind, Long> slowest = new EnumMap<>(Kind.class);
        concerned.forEach(o -> slowest.merge(o.kind(), o.millisAfter(gone), Math::max));
        long slowestBefore = outcomes.stream().filter(o -> o.start() >= warm && o.end() <= stopping)
            .mapToLong(o -> o.millisAfter(o.start())).max().orElse(0);
        long slowestSinceStopping = outcomes.stream().filter(o -> o.end() > stopping && o.start() < gone + WINDOW.toNanos())
            .mapToLong(o -> o.millisAfter(stopping)).max().orElse(0);
        System.out.printf("OutageFirstSecondIT: %d calls in flight or started in the outage's first second, slowest"
                + " answer %d ms after the later of its start and the outage's (%s); PostgreSQL took %d ms to stop and"
                + " was found down %d ms after the stop began; slowest answer since the stop began %d ms; before, %d ms%n",
            concerned.size(), slowest.values().stream().mapToLong(Long::longValue).max().orElse(0), slowest,
            TimeUnit.NANOSECONDS.toMillis(gone - stopping), TimeUnit.NANOSECONDS.toMillis(foundDown.get() - stopping),
            slowestSinceStopping, slowestBefore);
        assertThat(concerned).allSatisfy(o -> {
          assertThat(o.status().getCode()).as("%s", o).isIn(Status.Code.OK, Status.Code.UNAVAILABLE);
          assertThat(o.millisAfter(gone)).as("%s answered", o).isLessThan(WINDOW.toMillis());
        });
        for (Kind kind : Kind.values()) {
          assertThat(concerned).as("%s answered UNAVAILABLE", kind)
              .anyMatch(o -> o.kind() == kind && o.status().getCode() == Status.Code.UNAVAILABLE);
        }

        postgres.restart();
        for (Kind kind : Kind.values()) {
          // New connections come as HikariCP's backoff allows (up to 5 s apart after an outage).
          Eventually.poll(kind + " succeeds again", Duration.ofSeconds(30),
              () -> await(kind.call(channels.get(0), "after")), s -> s.getCode() == Status.Code.OK);
        }
      } finally {
        channels.forEach(ManagedChannel::shutdownNow);
      }
    }
  }

  private static Status await(CompletableFuture<Status> call) {
    try {
      return call.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The calls of the flood: how many of each at once, and how one is made (on a channel, with names unique to it). */
  private enum Kind {
    LIST_CURRENCY_PAIRS(15, (channel, id) -> {
      Responses<ListCurrencyPairsResponse> answer = new Responses<>();
      MarketServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .listCurrencyPairs(ListCurrencyPairsRequest.getDefaultInstance(), answer);
      return answer.end();
    }),
    GET_API_KEYS_FROM_DATABASE(15, (channel, id) -> {
      Responses<GetApiKeysResponse> answer = new Responses<>();
      ApiKeyServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .getApiKeys(GetApiKeysRequest.newBuilder().setUserId("outage-" + id).build(), answer);
      return answer.end();
    }),
    INGEST_TRADES(4, (channel, id) -> {
      Responses<IngestTradesResponse> answer = new Responses<>();
      StreamObserver<IngestTradesRequest> requests =
          IngestServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).ingestTrades(answer);
      requests.onNext(IngestTradesRequest.newBuilder().addAllTrades(trades(id)).build());
      requests.onCompleted();
      return answer.end();
    }),
    STREAM_TRADES(1, (channel, id) -> new Stream(channel, id).answer.end());

    final int inFlight;
    private final BiFunction<ManagedChannel, String, CompletableFuture<Status>> call;

    Kind(int inFlight, BiFunction<ManagedChannel, String, CompletableFuture<Status>> call) {
      this.inFlight = inFlight;
      this.call = call;
    }

    CompletableFuture<Status> call(ManagedChannel channel, String id) {
      return call.apply(channel, id + "-" + UUID.randomUUID());
    }
  }

  private static List<Trade> trades(String id) {
    List<Trade> trades = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      trades.add(TradeCalls.trade(1, 1, id + "-" + i, "60000." + i, "0.01"));
    }
    return trades;
  }

  /** A StreamTrades call that sends its next request on each ack, until the flood stops it (it then half-closes). */
  private static final class Stream implements ClientResponseObserver<StreamTradesRequest, IngestTradesAck> {
    static volatile boolean stopping;
    static final AtomicLong acks = new AtomicLong();
    final Responses<IngestTradesAck> answer = new Responses<>();
    private final String id;
    private ClientCallStreamObserver<StreamTradesRequest> requests;
    private int sent;

    Stream(ManagedChannel channel, String id) {
      this.id = id;
      IngestServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).streamTrades(this);
      send();
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<StreamTradesRequest> requests) {
      this.requests = requests;
    }

    private synchronized void send() {
      if (stopping) {
        requests.onCompleted();
      } else {
        requests.onNext(StreamTradesRequest.newBuilder().addAllTrades(trades(id + "-" + sent++)).build());
      }
    }

    @Override
    public void onNext(IngestTradesAck ack) {
      acks.incrementAndGet();
      send();
    }

    @Override
    public void onError(Throwable t) {
      answer.onError(t);
    }

    @Override
    public void onCompleted() {
      answer.onCompleted();
    }
  }

  /** One call of the flood: its kind, when it started and ended (System.nanoTime), and how. */
  private record Outcome(Kind kind, long start, long end, Status status) {
    /** How long after the later of its start and {@code since} (System.nanoTime) it was answered, in ms. */
    long millisAfter(long since) {
      return TimeUnit.NANOSECONDS.toMillis(end - Math.max(start, since));
    }

    @Override
    public String toString() {
      return kind + " " + status.getCode() + " after " + TimeUnit.NANOSECONDS.toMillis(end - start) + " ms";
    }
  }

  /** Keeps {@link Kind#inFlight} calls of each kind going, one thread per kind, until stopped. */
  private static final class Flood {
    private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    private final Map<Kind, AtomicLong> succeeded = new EnumMap<>(Kind.class);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    static Flood start(List<ManagedChannel> channels) {
      Flood flood = new Flood();
      Stream.stopping = false;
      for (Kind kind : Kind.values()) {
        flood.succeeded.put(kind, new AtomicLong());
        Thread thread = new Thread(() -> flood.run(kind, channels), "flood-" + kind);
        thread.setDaemon(true);
        flood.threads.add(thread);
        thread.start();
      }
      return flood;
    }

    private void run(Kind kind, List<ManagedChannel> channels) {
      Semaphore inFlight = new Semaphore(kind.inFlight);
      long n = 0;
      try {
        while (running) {
          if (!inFlight.tryAcquire(10, TimeUnit.MILLISECONDS)) {
            continue;
          }
          long start = System.nanoTime();
          kind.call(channels.get((int) (n % channels.size())), kind.name() + "-" + n++).thenAccept(status -> {
            outcomes.add(new Outcome(kind, start, System.nanoTime(), status));
            if (status.isOk()) {
              succeeded.get(kind).incrementAndGet();
            }
            inFlight.release();
          });
          // At most 200 starts a second per kind: once calls fail at once, an unpaced loop would
          // measure the machine's CPU instead of the server's answers.
          Thread.sleep(5);
        }
        inFlight.acquire(kind.inFlight); // every call of this kind answered
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** How many calls of each kind succeeded; for the stream, how many of its requests were acknowledged. */
    Map<Kind, Long> succeeded() {
      Map<Kind, Long> counts = new EnumMap<>(Kind.class);
      succeeded.forEach((kind, count) -> counts.put(kind, count.get()));
      counts.put(Kind.STREAM_TRADES, Stream.acks.get());
      return counts;
    }

    void stop() {
      running = false;
      Stream.stopping = true;
    }

    List<Outcome> awaitAll(Duration timeout) throws InterruptedException {
      for (Thread thread : threads) {
        thread.join(timeout.toMillis());
        assertThat(thread.isAlive()).as("%s still has calls unanswered", thread.getName()).isFalse();
      }
      return List.copyOf(outcomes);
    }
  }
}
