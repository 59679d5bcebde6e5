package io.tickvault.client.bench;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutCurrencyPairRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.client.BearerToken;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The production shape of ingestion (docs/benchmarks.md): many long-lived StreamTrades streams,
 * one market each, each sending a few small requests a second, over a few connections; per request
 * the time from the client's send to its ack (the server sends one per request once it is
 * committed), every ack counted, the schedule kept, and the server's memory (VmRSS of its process,
 * read from /proc on this machine) and threads. With {@code idle}, the streams send one request
 * each and then stay open and silent: what they hold on the server.
 *
 * <p>The client shares the machine with the server and PostgreSQL, so it is built not to be the
 * bottleneck: asynchronous stubs, one scheduling thread for every stream (no thread per stream),
 * one event loop thread for every connection, acks handled on that loop; its own CPU is printed.
 */
public final class FleetBench {
  static final int EXCHANGE_ID = 9_990;
  /** The goals of issue 28, printed beside each figure (docs/benchmarks.md). */
  static final double GOAL_P99_MS = 50;
  static final long GOAL_RSS_BYTES = 1L << 30;
  static final long GOAL_IDLE_BYTES = 200L * 1000 * 1000;

  /**
   * @param rate requests a second per stream
   * @param seconds measured; {@code warmupSeconds} more run first at the same rate, not measured
   * @param serverPid the server's process on this machine, for its memory and threads; 0: not read
   * @param idle open the streams, one request each, then hold them silent for {@code seconds}
   */
  public record Options(int streams, double rate, int tradesPerRequest, int seconds, int warmupSeconds, int connections,
                        long serverPid, boolean idle) {
    public Options {
      if (streams < 1 || rate <= 0 || tradesPerRequest < 1 || seconds < 1 || warmupSeconds < 0 || connections < 1) {
        throw new IllegalArgumentException("streams, rate, trades per request, seconds and connections must be positive");
      }
    }
  }

  /** What one run measured. */
  public record Result(long asked, long sent, long acked, long badAcks, long failedStreams, double p50Ms, double p99Ms,
                       double maxMs, double onTimeShare, long peakRssBytes, double clientCores) {}

  private FleetBench() {}

  public static Result run(String target, String token, Options o, PrintStream out) throws Exception {
    NioEventLoopGroup loop = new NioEventLoopGroup(1, new DefaultThreadFactory("fleet-bench", true));
    List<ManagedChannel> channels = new ArrayList<>();
    try {
      int colon = target.lastIndexOf(':');
      for (int c = 0; c < o.connections(); c++) {
        // One channel a connection; acks are handled on the event loop (directExecutor): no thread hop.
        channels.add(NettyChannelBuilder.forAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
            .eventLoopGroup(loop).channelType(NioSocketChannel.class).directExecutor().usePlaintext().build());
      }
      CallCredentials credentials = token == null ? null : new BearerToken(token);
      createMarkets(channels.get(0), credentials, o.streams());
      return o.idle() ? idle(channels, credentials, o, out) : fleet(channels, credentials, o, out);
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** One exchange, a currency pair per stream (1..N), by the admin RPCs; both calls are idempotent. */
  private static void createMarkets(ManagedChannel channel, CallCredentials credentials, int streams) {
    MarketServiceGrpc.MarketServiceBlockingStub markets = MarketServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(credentials);
    markets.putExchange(PutExchangeRequest.newBuilder().setExchangeId(EXCHANGE_ID).setCode("tickvault-bench-fleet").build());
    for (int pair = 1; pair <= streams; pair++) {
      markets.withDeadlineAfter(30, TimeUnit.SECONDS).putCurrencyPair(PutCurrencyPairRequest.newBuilder()
          .setExchangeId(EXCHANGE_ID).setCurrencyPairNo(pair).setBaseCurrency("F" + pair).setQuoteCurrency("USD").build());
    }
  }

  private static Result fleet(List<ManagedChannel> channels, CallCredentials credentials, Options o, PrintStream out)
      throws Exception {
    int perStream = (int) Math.round((o.warmupSeconds() + o.seconds()) * o.rate());
    int warmup = (int) Math.round(o.warmupSeconds() * o.rate());
    String run = Long.toString(System.currentTimeMillis(), 36);
    CountDownLatch ended = new CountDownLatch(o.streams());
    List<Stream> streams = open(channels, credentials, o.streams(), perStream, o.tradesPerRequest(), ended);
    ServerProcess server = new ServerProcess(o.serverPid());
    long periodNs = Math.round(1e9 / o.rate());
    long[] lateNs = new long[perStream * o.streams()];
    out.printf("fleet: %,d streams x %s requests/s x %d trades over %d connection(s), %d s measured after %d s warm-up%n",
        o.streams(), o.rate(), o.tradesPerRequest(), o.connections(), o.seconds(), o.warmupSeconds());

    // One thread keeps every stream's schedule: stream s sends request m at start + m * period + s * period / N.
    long start = System.nanoTime() + 100_000_000L;
    long measuredFrom = start + warmup * periodNs;
    long cpuFrom = 0;
    ServerProcess.Sample serverFrom = null;
    int sends = 0;
    for (int m = 0; m < perStream; m++) {
      if (m == warmup) {
        cpuFrom = clientCpuNanos();
        serverFrom = server.sample();
      }
      for (int s = 0; s < o.streams(); s++) {
        long due = start + m * periodNs + s * periodNs / o.streams();
        long now = System.nanoTime();
        while (now < due) {
          LockSupport.parkNanos(due - now);
          now = System.nanoTime();
        }
        lateNs[sends++] = now - due;
        streams.get(s).send(request(run, s + 1, m, o.tradesPerRequest()), now);
        if ((sends & 1023) == 0) {
          server.sample();
        }
      }
    }
    long sendEnd = System.nanoTime();
    double clientCores = (clientCpuNanos() - cpuFrom) / (double) (sendEnd - measuredFrom);
    ServerProcess.Sample serverTo = server.sample();
    for (Stream stream : streams) {
      stream.requests.onCompleted();
    }
    boolean allEnded = ended.await(120, TimeUnit.SECONDS);

    long acked = 0;
    long bad = 0;
    long failed = 0;
    double[] latencies = new double[(perStream - warmup) * o.streams()];
    int n = 0;
    for (Stream stream : streams) {
      acked += stream.acked;
      bad += stream.badAcks;
      failed += stream.failure != null ? 1 : 0;
      for (int m = warmup; m < stream.acked; m++) {
        latencies[n++] = stream.latencyNs[m] / 1e6;
      }
    }
    latencies = Arrays.copyOf(latencies, n);
    Arrays.sort(latencies);
    long asked = (long) perStream * o.streams();
    long onTime = Arrays.stream(lateNs).filter(late -> late <= 5_000_000L).count();
    long[] late = lateNs.clone();
    Arrays.sort(late);
    double p99 = percentile(latencies, 0.99);
    Result result = new Result(asked, sends, acked, bad, failed, percentile(latencies, 0.50), p99,
        n == 0 ? Double.NaN : latencies[n - 1], onTime / (double) asked, server.peakRss, clientCores);

    out.printf("  acks: %,d of %,d requests sent (%,d asked) acknowledged; %d ack(s) with other counts than sent;"
            + " %d stream(s) failed%s%n", acked, sends, asked, bad, failed, allEnded ? "" : "; some streams never ended");
    for (Stream stream : streams) {
      if (stream.failure != null) {
        out.println("  first failure: " + stream.failure);
        break;
      }
    }
    out.printf("  schedule: %.1f %% of requests sent within 5 ms of their time, lateness p99 %.1f ms, max %.1f ms;"
            + " %.0f trades/s asked%n", 100.0 * onTime / asked, late[(int) Math.min(late.length - 1, Math.ceil(0.99 * late.length) - 1)] / 1e6,
        late[late.length - 1] / 1e6, o.streams() * o.rate() * o.tradesPerRequest());
    out.printf("  ack latency (send to ack), %,d measured requests: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
            + "   goal p99 <= %.0f ms: %s%n", n, result.p50Ms(), p99, result.maxMs(), GOAL_P99_MS, verdict(p99 <= GOAL_P99_MS));
    out.printf("  client CPU: %.2f cores over the measured %d s (this JVM, everything included)%n", clientCores, o.seconds());
    if (o.serverPid() > 0) {
      out.printf("  server: peak RSS %,d MiB   goal < %,d MiB: %s; %d threads; CPU %.2f cores%n", server.peakRss >> 20,
          GOAL_RSS_BYTES >> 20, verdict(server.peakRss < GOAL_RSS_BYTES), serverTo.threads(),
          (serverTo.cpuNanos() - serverFrom.cpuNanos()) / (double) (sendEnd - measuredFrom));
    }
    return result;
  }

  /**
   * The streams open, send one request of one trade each (so every one is surely open and served
   * on the server), then stay silent for {@code seconds}: the server's RSS and threads before they
   * opened against while they are open and silent.
   */
  private static Result idle(List<ManagedChannel> channels, CallCredentials credentials, Options o, PrintStream out)
      throws Exception {
    ServerProcess server = new ServerProcess(o.serverPid());
    ServerProcess.Sample before = server.sample();
    CountDownLatch ended = new CountDownLatch(o.streams());
    List<Stream> streams = open(channels, credentials, o.streams(), 1, 1, ended);
    String run = Long.toString(System.currentTimeMillis(), 36);
    for (int s = 0; s < o.streams(); s++) {
      streams.get(s).send(request(run, s + 1, 0, 1), System.nanoTime());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (streams.stream().anyMatch(stream -> stream.acked < 1) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    long open = streams.stream().filter(stream -> stream.acked == 1).count();
    long cpuFrom = clientCpuNanos();
    long from = System.nanoTime();
    ServerProcess.Sample silent = server.sample();
    ServerProcess.Sample held = silent;
    for (int i = 0; i < o.seconds(); i++) {
      Thread.sleep(1000);
      held = server.sample();
    }
    double clientCores = (clientCpuNanos() - cpuFrom) / (double) (System.nanoTime() - from);
    long stillOpen = streams.stream().filter(stream -> stream.failure == null && !stream.completed).count();
    for (Stream stream : streams) {
      stream.requests.onCompleted();
    }
    boolean allEnded = ended.await(60, TimeUnit.SECONDS);
    long heldBytes = server.peakRss - before.rss();
    out.printf("idle: %,d streams over %d connection(s) opened and acknowledged (%,d of them), then silent for %d s;"
            + " %,d still open at the end%s%n", o.streams(), o.connections(), open, o.seconds(), stillOpen,
        allEnded ? "" : "; some never ended after the half-close");
    if (o.serverPid() > 0) {
      out.printf("  server RSS %,d MiB before, peak %,d MiB while open: %,d MB held   goal < %,d MB: %s%n",
          before.rss() >> 20, server.peakRss >> 20, heldBytes / 1_000_000, GOAL_IDLE_BYTES / 1_000_000,
          verdict(heldBytes < GOAL_IDLE_BYTES));
      out.printf("  server threads %d before, %d while open (%+d for %,d streams)   goal: no thread each: %s;"
              + " server CPU while silent %.3f cores%n", before.threads(), held.threads(), held.threads() - before.threads(),
          o.streams(), verdict(held.threads() - before.threads() < o.streams() / 10),
          (held.cpuNanos() - silent.cpuNanos()) / 1e9 / o.seconds());
    }
    out.printf("  client CPU while silent: %.3f cores%n", clientCores);
    return new Result(o.streams(), o.streams(), open, 0, o.streams() - stillOpen, Double.NaN, Double.NaN, Double.NaN, 1,
        server.peakRss, clientCores);
  }

  private static List<Stream> open(List<ManagedChannel> channels, CallCredentials credentials, int count, int perStream,
                                   int tradesPerRequest, CountDownLatch ended) {
    List<Stream> streams = new ArrayList<>(count);
    for (int s = 0; s < count; s++) {
      Stream stream = new Stream(perStream, tradesPerRequest, ended);
      IngestServiceGrpc.newStub(channels.get(s % channels.size())).withCallCredentials(credentials).streamTrades(stream);
      streams.add(stream);
    }
    return streams;
  }

  /** Request {@code m} of the stream of pair {@code pair}: {@code k} fresh trades of its market. */
  private static StreamTradesRequest request(String run, int pair, int m, int k) {
    StreamTradesRequest.Builder request = StreamTradesRequest.newBuilder();
    long now = System.currentTimeMillis();
    for (int i = 0; i < k; i++) {
      long id = (long) m * k + i;
      request.addTrades(Trade.newBuilder().setExchangeId(EXCHANGE_ID).setCurrencyPairNo(pair)
          .setTradeId(run + "-" + id).setPrice("64" + (100 + id % 900) + ".5").setQuantity("0.0" + (1 + id % 9))
          .setTakerSide(id % 2 == 0 ? TradeSide.TRADE_SIDE_BUY : TradeSide.TRADE_SIDE_SELL).setTradeTimeMs(now)
          .setReceiveTimeMs(now));
    }
    return request.build();
  }

  /** One stream: its send times and ack latencies by request index (acks come in request order). */
  private static final class Stream implements ClientResponseObserver<StreamTradesRequest, IngestTradesAck> {
    private final long[] sentAt;
    private final long[] latencyNs;
    private final int tradesPerRequest;
    private final CountDownLatch ended;
    private ClientCallStreamObserver<StreamTradesRequest> requests;
    private volatile int sent; // written by the scheduling thread; publishes sentAt
    private volatile int acked; // written by the event loop only
    private volatile long badAcks;
    private volatile Throwable failure;
    private volatile boolean completed;

    Stream(int requests, int tradesPerRequest, CountDownLatch ended) {
      this.sentAt = new long[requests];
      this.latencyNs = new long[requests];
      this.tradesPerRequest = tradesPerRequest;
      this.ended = ended;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<StreamTradesRequest> requestStream) {
      this.requests = requestStream;
    }

    void send(StreamTradesRequest request, long nowNanos) {
      sentAt[sent] = nowNanos;
      sent = sent + 1;
      requests.onNext(request);
    }

    @Override
    public void onNext(IngestTradesAck ack) {
      long now = System.nanoTime();
      int index = acked;
      if (index >= sent || ack.getRequestIndex() != index || ack.getReceived() != tradesPerRequest
          || ack.getInserted() != tradesPerRequest) {
        badAcks = badAcks + 1;
      }
      if (index < latencyNs.length) {
        latencyNs[index] = now - sentAt[index];
      }
      acked = index + 1;
    }

    @Override
    public void onError(Throwable t) {
      failure = t;
      ended.countDown();
    }

    @Override
    public void onCompleted() {
      completed = true;
      ended.countDown();
    }
  }

  private static long clientCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String verdict(boolean met) {
    return met ? "met" : "NOT met";
  }

  private static double percentile(double[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
