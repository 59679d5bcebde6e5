package io.tickvault.client.bench;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutApiKeyRequest;
import io.tickvault.api.v1.PutExchangeRequest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code GetApiKeys} served from the cache against its reference, {@code grpc.health.v1.Health/Check}
 * on the same server, at the same concurrency, in the same run (docs/benchmarks.md).
 *
 * <p>Phase 1 (peak): each call kind in turn keeps {@code concurrency} calls in flight for
 * {@code seconds}, {@code rounds} times, alternating so that drift on a shared machine hits both
 * alike; it prints calls/s, p50 and p99 and the ratio GetApiKeys/Health. Phase 2 (half load):
 * GetApiKeys at half the peak rate it reached (or at {@code --rate}), open loop (latency measured from each call's
 * scheduled start, so a stall is not hidden), and its p50/p99.
 *
 * <pre>
 * java -cp client/target/tickvault.jar io.tickvault.client.bench.ApiKeyBench 127.0.0.1:50061 [token] \
 *     [--concurrency 32] [--seconds 5] [--rounds 3] [--warmup 5] [--rate calls/s]
 * </pre>
 *
 * The user {@value #USER} gets two keys on exchange {@value #EXCHANGE_ID} ("{@value #EXCHANGE_CODE}")
 * first, which needs an admin token (or a server without authentication); with a worker token the
 * keys must be there already.
 */
public final class ApiKeyBench {
  static final String USER = "tickvault-bench-user";
  static final int EXCHANGE_ID = 9_997;
  static final String EXCHANGE_CODE = "tickvault-bench-api-keys";
  static final int SENDERS = 4;
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** How hard and how long to drive the server. */
  public record Options(int concurrency, Duration phase, int rounds, Duration warmUp, double openLoopRate) {
    public static final Options DEFAULT = new Options(32, Duration.ofSeconds(5), 3, Duration.ofSeconds(5));

    /** Phase 2 at half the peak rate. */
    public Options(int concurrency, Duration phase, int rounds, Duration warmUp) {
      this(concurrency, phase, rounds, warmUp, 0);
    }

    /** The same, with phase 2 at this many calls/s instead (0: half the peak rate). */
    public Options withOpenLoopRate(double perSecond) {
      return new Options(concurrency, phase, rounds, warmUp, perSecond);
    }
  }

  /** Throughput and latency of one call kind. */
  public record Figures(long calls, double seconds, double p50Micros, double p99Micros) {
    public double callsPerSecond() {
      return calls / seconds;
    }
  }

  /** The whole run: both kinds at peak, their ratio, and GetApiKeys at half its peak rate. */
  public record Result(Figures health, Figures getApiKeys, Figures getApiKeysAtHalfPeak) {
    public double ratio() {
      return getApiKeys.callsPerSecond() / health.callsPerSecond();
    }
  }

  private ApiKeyBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ApiKeyBench host:port [token] [--concurrency 32] [--seconds 5] [--rounds 3] [--warmup 5] [--rate calls/s]");
      System.exit(2);
    }
    String token = null;
    Options o = Options.DEFAULT;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--concurrency" -> o = new Options(Integer.parseInt(args[++i]), o.phase(), o.rounds(), o.warmUp(), o.openLoopRate());
        case "--seconds" -> o = new Options(o.concurrency(), Duration.ofSeconds(Long.parseLong(args[++i])), o.rounds(), o.warmUp(),
            o.openLoopRate());
        case "--rounds" -> o = new Options(o.concurrency(), o.phase(), Integer.parseInt(args[++i]), o.warmUp(), o.openLoopRate());
        case "--warmup" -> o = new Options(o.concurrency(), o.phase(), o.rounds(), Duration.ofSeconds(Long.parseLong(args[++i])),
            o.openLoopRate());
        case "--rate" -> o = o.withOpenLoopRate(Double.parseDouble(args[++i]));
        default -> token = args[i];
      }
    }
    run(args[0], token, o, System.out);
  }

  /** Runs against {@code host:port} (plaintext), with a bearer token when not null; prints as it goes. */
  public static Result run(String target, String token, Options options, PrintStream out) throws InterruptedException {
    int colon = target.lastIndexOf(':');
    ManagedChannel managed = NettyChannelBuilder.forAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
        .usePlaintext().directExecutor().build();
    try {
      Channel channel = managed;
      if (token != null && !token.isEmpty()) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        channel = ClientInterceptors.intercept(managed, MetadataUtils.newAttachHeadersInterceptor(headers));
      }
      return run(channel, options, out);
    } finally {
      managed.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Runs on an open channel (which carries the token, if any). */
  public static Result run(Channel channel, Options options, PrintStream out) throws InterruptedException {
    prepareKeys(channel, out);
    Call health = new Call(channel, HealthGrpc.getCheckMethod(), HealthCheckRequest.getDefaultInstance());
    Call keys = new Call(channel, ApiKeyServiceGrpc.getGetApiKeysMethod(),
        GetApiKeysRequest.newBuilder().setUserId(USER).build());
    keys.once(); // the first call fills the cache; every later one is a hit

    out.printf("API key benchmark: %d calls in flight, %d round(s) of %d s per kind, warm-up %d s%n",
        options.concurrency(), options.rounds(), options.phase().toSeconds(), options.warmUp().toSeconds());
    closedLoop(health, options.concurrency(), options.warmUp());
    closedLoop(keys, options.concurrency(), options.warmUp());
    Latencies healthAll = new Latencies();
    Latencies keysAll = new Latencies();
    for (int round = 1; round <= options.rounds(); round++) {
      Latencies h = closedLoop(health, options.concurrency(), options.phase());
      Latencies k = closedLoop(keys, options.concurrency(), options.phase());
      out.printf("round %d: Health/Check %,.0f calls/s (p50 %.0f µs, p99 %.0f µs) | GetApiKeys %,.0f calls/s"
              + " (p50 %.0f µs, p99 %.0f µs) | ratio %.2f%n",
          round, h.figures().callsPerSecond(), h.figures().p50Micros(), h.figures().p99Micros(),
          k.figures().callsPerSecond(), k.figures().p50Micros(), k.figures().p99Micros(),
          k.figures().callsPerSecond() / h.figures().callsPerSecond());
      healthAll.add(h);
      keysAll.add(k);
    }
    Figures healthFigures = healthAll.figures();
    Figures keyFigures = keysAll.figures();
    double halfRate = options.openLoopRate() > 0 ? options.openLoopRate() : keyFigures.callsPerSecond() / 2;
    Figures half = openLoop(keys, halfRate, options.phase()).figures();
    Result result = new Result(healthFigures, keyFigures, half);
    out.printf("total: Health/Check %,.0f calls/s (p50 %.0f µs, p99 %.0f µs); GetApiKeys (cache hits) %,.0f calls/s"
            + " (p50 %.0f µs, p99 %.0f µs); ratio GetApiKeys/Health %.2f%n",
        healthFigures.callsPerSecond(), healthFigures.p50Micros(), healthFigures.p99Micros(),
        keyFigures.callsPerSecond(), keyFigures.p50Micros(), keyFigures.p99Micros(), result.ratio());
    out.printf("%s: GetApiKeys at %,.0f calls/s (open loop, %d s): %,.0f calls/s done, p50 %.0f µs, p99 %.0f µs%n",
        options.openLoopRate() > 0 ? "fixed rate" : "half peak", halfRate, options.phase().toSeconds(), half.callsPerSecond(), half.p50Micros(), half.p99Micros());
    return result;
  }

  /** Registers the bench exchange and two keys for the bench user, when the token allows it. */
  private static void prepareKeys(Channel channel, PrintStream out) {
    try {
      MarketServiceGrpc.newBlockingStub(channel)
          .putExchange(PutExchangeRequest.newBuilder().setExchangeId(EXCHANGE_ID).setCode(EXCHANGE_CODE).build());
      ApiKeyAdminServiceGrpc.ApiKeyAdminServiceBlockingStub admin = ApiKeyAdminServiceGrpc.newBlockingStub(channel);
      for (int i = 1; i <= 2; i++) {
        admin.putApiKey(PutApiKeyRequest.newBuilder().setUserId(USER).setExchangeId(EXCHANGE_ID)
            .setAccessKey("BENCH-ACCESS-KEY-" + i).setSecretKey("bench-secret-" + i + "-0123456789abcdef0123456789abcdef")
            .setLabel("tickvault benchmark").build());
      }
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
        throw e;
      }
      out.println("not an admin token: using the keys user " + USER + " already has");
    }
  }

  /**
   * Keeps {@code concurrency} calls in flight for the duration; each completion starts the next
   * call. (ReadBench drives GetMarketState against Health/Check with it too.)
   */
  static Latencies closedLoop(Call call, int concurrency, Duration duration) throws InterruptedException {
    Latencies latencies = new Latencies();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch drained = new CountDownLatch(concurrency);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long started = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      new Runnable() {
        @Override
        public void run() {
          long callStarted = System.nanoTime();
          call.start(error -> {
            if (error != null) {
              failure.compareAndSet(null, error);
              stop.set(true);
            } else {
              latencies.record(System.nanoTime() - callStarted);
            }
            if (stop.get()) {
              drained.countDown();
            } else {
              run();
            }
          });
        }
      }.run();
    }
    Thread.sleep(duration.toMillis());
    stop.set(true);
    long elapsed = System.nanoTime() - started;
    drained.await(30, TimeUnit.SECONDS);
    if (failure.get() != null) {
      throw new IllegalStateException(call.name + " failed: " + failure.get().getMessage(), failure.get());
    }
    latencies.seconds(elapsed / 1e9);
    return latencies;
  }

  /**
   * Starts calls at a fixed rate whatever their latency, from {@link #SENDERS} threads each
   * keeping its share of the rate (one thread alone cannot start tens of thousands of calls a
   * second); each latency counts from the call's scheduled start, so a stall is not hidden.
   */
  private static Latencies openLoop(Call call, double perSecond, Duration duration) throws InterruptedException {
    Latencies latencies = new Latencies();
    AtomicLong inFlight = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long interval = (long) (1e9 * SENDERS / perSecond);
    long started = System.nanoTime();
    long end = started + duration.toNanos();
    Thread[] senders = new Thread[SENDERS];
    for (int t = 0; t < SENDERS; t++) {
      long offset = interval * t / SENDERS;
      senders[t] = new Thread(() -> {
        long sent = 0;
        while (failure.get() == null) {
          long now = System.nanoTime();
          if (now >= end) {
            return;
          }
          long due = started + offset + sent * interval;
          if (due > now) {
            LockSupport.parkNanos(due - now);
            continue;
          }
          sent++;
          inFlight.incrementAndGet();
          call.start(error -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            } else {
              latencies.record(System.nanoTime() - due);
            }
            inFlight.decrementAndGet();
          });
        }
      }, "api-key-bench-sender-" + t);
      senders[t].start();
    }
    for (Thread sender : senders) {
      sender.join();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    if (failure.get() != null) {
      throw new IllegalStateException(call.name + " failed: " + failure.get().getMessage(), failure.get());
    }
    latencies.seconds((System.nanoTime() - started) / 1e9);
    return latencies;
  }

  /** One unary call, started asynchronously; the callback gets null or the error. */
  static final class Call {
    final String name;
    private final Channel channel;
    private final MethodDescriptor<Object, Object> method;
    private final Object request;

    @SuppressWarnings("unchecked")
    <Q, R> Call(Channel channel, MethodDescriptor<Q, R> method, Q request) {
      this.name = method.getFullMethodName();
      this.channel = channel;
      this.method = (MethodDescriptor<Object, Object>) (MethodDescriptor<?, ?>) method;
      this.request = request;
    }

    void once() {
      ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT, request);
    }

    void start(java.util.function.Consumer<Throwable> done) {
      ClientCalls.asyncUnaryCall(channel.newCall(method, CallOptions.DEFAULT), request, new StreamObserver<>() {
        @Override
        public void onNext(Object value) {}

        @Override
        public void onError(Throwable t) {
          done.accept(t);
        }

        @Override
        public void onCompleted() {
          done.accept(null);
        }
      });
    }
  }

  /** A latency histogram: 1 µs buckets up to 100 ms, then one overflow bucket; lock-free. */
  static final class Latencies {
    private static final int BUCKETS = 100_000;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);
    private final AtomicLong total = new AtomicLong();
    private double seconds;

    void record(long nanos) {
      long micros = nanos / 1_000;
      counts.incrementAndGet((int) Math.min(micros, BUCKETS));
      total.incrementAndGet();
    }

    void seconds(double s) {
      seconds = s;
    }

    void add(Latencies other) {
      for (int i = 0; i <= BUCKETS; i++) {
        counts.addAndGet(i, other.counts.get(i));
      }
      total.addAndGet(other.total.get());
      seconds += other.seconds;
    }

    Figures figures() {
      return new Figures(total.get(), seconds, percentile(0.50), percentile(0.99));
    }

    private double percentile(double p) {
      long n = total.get();
      if (n == 0) {
        return Double.NaN;
      }
      long rank = (long) Math.ceil(p * n);
      long seen = 0;
      for (int i = 0; i <= BUCKETS; i++) {
        seen += counts.get(i);
        if (seen >= rank) {
          return i;
        }
      }
      return BUCKETS;
    }
  }
}
