package io.tickvault.server.apikeys;

import static io.tickvault.server.apikeys.ApiKeyServiceIT.put;
import static io.tickvault.server.apikeys.ApiKeyServiceIT.randomKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.app.Application;
import io.tickvault.server.config.RedisSettings;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.OwnRedis;
import io.tickvault.server.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis stopped, absent at start-up, or hanging: GetApiKeys keeps answering correctly from
 * PostgreSQL within the command timeout (+ 1 s of slack for a busy machine), and caching resumes
 * by itself when Redis is back.
 */
class ApiKeyCacheFailOpenIT {
  static final Duration TIMEOUT = RedisSettings.DEFAULT_TIMEOUT;
  static final long BOUND_MS = TIMEOUT.toMillis() + 1_000;
  static final byte[] MASTER_KEY = randomKey();

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private Application app;
  private ManagedChannel channel;
  private final String user = "user-" + UUID.randomUUID();

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (app != null) {
      app.close();
    }
    for (AutoCloseable c : closeAfter) {
      c.close();
    }
  }

  @Test
  void redisStoppedMidRun_answersFromPostgresAndCachingResumesWhenItReturns() {
    OwnRedis redis = own(OwnRedis.start());
    startServer(redis.url());
    admin().putApiKey(put(user, 1, "AK", "secret-1", ""));
    assertThat(secrets()).containsExactly("secret-1");
    double hits = counter("tickvault_api_key_cache_requests_total", "result", "hit");
    assertThat(secrets()).containsExactly("secret-1");
    assertThat(counter("tickvault_api_key_cache_requests_total", "result", "hit")).isEqualTo(hits + 1);

    redis.stop();
    // The near cache may answer until the client sees the connection close (milliseconds).
    awaitTrue("the server notices Redis is gone", () -> {
      double before = counter("tickvault_api_key_cache_requests_total", "result", "error");
      assertThat(timedSecrets()).containsExactly("secret-1");
      return counter("tickvault_api_key_cache_requests_total", "result", "error") > before;
    });
    awaitTrue("tickvault_dependency_up says Redis is down", () -> redisUp() == 0);
    awaitTrue("reconnect attempts are counted", () -> counter("tickvault_redis_reconnect_attempts_total") > 0);
    assertThat(MetricValues.gauge(app.metrics().registry(), "tickvault_dependency_up", "dependency", "postgresql")).isEqualTo(1);
    double errors = counter("tickvault_api_key_cache_requests_total", "result", "error");
    for (int i = 0; i < 20; i++) {
      assertThat(timedSecrets()).containsExactly("secret-1");
    }
    assertThat(counter("tickvault_api_key_cache_requests_total", "result", "error")).isEqualTo(errors + 20);
    assertThat(counter("tickvault_redis_errors_total", "operation", "lookup")).isGreaterThanOrEqualTo(20);

    // A write while Redis is down stands; its invalidation is retried, and this server reads PostgreSQL meanwhile.
    admin().putApiKey(put(user, 1, "AK", "secret-2", ""));
    assertThat(counter("tickvault_redis_errors_total", "operation", "invalidate")).isGreaterThanOrEqualTo(1);
    assertThat(timedSecrets()).containsExactly("secret-2");

    redis.restart();
    double hitsBefore = counter("tickvault_api_key_cache_requests_total", "result", "hit");
    awaitTrue("caching resumes after Redis restarts", () -> {
      assertThat(timedSecrets()).containsExactly("secret-2");
      return counter("tickvault_api_key_cache_requests_total", "result", "hit") > hitsBefore;
    });
    awaitTrue("tickvault_dependency_up says Redis is back", () -> redisUp() == 1);
  }

  private double redisUp() {
    return MetricValues.gauge(app.metrics().registry(), "tickvault_dependency_up", "dependency", "redis");
  }

  @Test
  void redisDownAtStartUp_serverStartsAnswersAndBeginsCachingWhenRedisAppears() {
    OwnRedis redis = own(OwnRedis.start());
    redis.stop();
    startServer(redis.url());
    admin().putApiKey(put(user, 1, "AK", "secret", ""));

    for (int i = 0; i < 10; i++) {
      assertThat(timedSecrets()).containsExactly("secret");
    }
    assertThat(counter("tickvault_api_key_cache_requests_total", "result", "hit")).isZero();

    redis.restart();
    awaitTrue("caching begins once Redis appears", () -> {
      assertThat(timedSecrets()).containsExactly("secret");
      return counter("tickvault_api_key_cache_requests_total", "result", "hit") > 0;
    });
  }

  @Test
  void redisPausedMidRun_eachCallCostsAtMostTheTimeout() throws Exception {
    OwnRedis redis = own(OwnRedis.start());
    startServer(redis.url());
    admin().putApiKey(put(user, 1, "AK", "secret", ""));
    String coldUser = user + "-cold"; // not in the near cache: its calls must ask the paused Redis
    admin().putApiKey(put(coldUser, 1, "AK", "cold-secret", ""));
    assertThat(secrets()).containsExactly("secret");
    assertThat(secrets()).containsExactly("secret");

    RedisClient pauser = RedisClient.create(redis.url());
    closeAfter.add(pauser::shutdown);
    StatefulRedisConnection<String, String> pause = pauser.connect();
    // CLIENT PAUSE holds every client's commands, like a Redis stuck in a long command.
    pause.sync().clientPause(3_000);
    double timeouts = counter("tickvault_redis_errors_total", "operation", "lookup");
    for (int i = 0; i < 10; i++) {
      assertThat(timedSecrets()).containsExactly("secret");
      assertThat(timedSecrets(coldUser)).containsExactly("cold-secret");
    }
    assertThat(counter("tickvault_redis_errors_total", "operation", "lookup")).isGreaterThan(timeouts);

    double hitsBefore = counter("tickvault_api_key_cache_requests_total", "result", "hit");
    awaitTrue("caching resumes after the pause", () -> {
      assertThat(timedSecrets()).containsExactly("secret");
      return counter("tickvault_api_key_cache_requests_total", "result", "hit") > hitsBefore;
    });
  }

  @Test
  void redisThatAcceptsButNeverAnswers_costsAtMostTheTimeout() throws Exception {
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    List<Socket> held = new ArrayList<>();
    Thread acceptor = new Thread(() -> {
      while (!silent.isClosed()) {
        try {
          Socket s = silent.accept();
          held.add(s);
          drain(s);
        } catch (IOException e) {
          return;
        }
      }
    }, "silent-redis");
    acceptor.setDaemon(true);
    acceptor.start();
    closeAfter.add(silent);

    long started = System.nanoTime();
    startServer("redis://127.0.0.1:" + silent.getLocalPort());
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("start-up despite a silent Redis")
        .isLessThan(30_000);
    admin().putApiKey(put(user, 1, "AK", "secret", ""));

    for (int i = 0; i < 10; i++) {
      assertThat(timedSecrets()).containsExactly("secret");
    }
    assertThat(counter("tickvault_api_key_cache_requests_total", "result", "error")).isGreaterThanOrEqualTo(10);
    assertThat(held).isNotEmpty();
  }

  private List<String> timedSecrets() {
    return timedSecrets(user);
  }

  private List<String> timedSecrets(String userId) {
    long started = System.nanoTime();
    List<String> secrets = secrets(userId);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(tookMs).as("GetApiKeys latency with Redis failing, ms").isLessThan(BOUND_MS);
    return secrets;
  }

  private List<String> secrets() {
    return secrets(user);
  }

  private List<String> secrets(String userId) {
    return ApiKeyServiceGrpc.newBlockingStub(channel)
        .getApiKeys(GetApiKeysRequest.newBuilder().setUserId(userId).build())
        .getApiKeysList().stream().map(ApiKey::getSecretKey).toList();
  }

  private ApiKeyAdminServiceGrpc.ApiKeyAdminServiceBlockingStub admin() {
    return ApiKeyAdminServiceGrpc.newBlockingStub(channel);
  }

  private void startServer(String redisUrl) {
    String name = "fail-open-" + UUID.randomUUID();
    app = Application.start(ServerConfig.builder()
        .databaseUrl(database.url())
        .redisUrl(redisUrl)
        .redisTimeout(TIMEOUT)
        .masterKey(MASTER_KEY)
        .grpcPort(0).metricsPort(0).bindAddress("127.0.0.1")
        .authDisabled(true)
        .shutdownGrace(Duration.ofSeconds(5))
        .build(), InProcessServerBuilder.forName(name));
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    MarketServiceGrpc.newBlockingStub(channel)
        .putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
  }

  private double counter(String name, String... labels) {
    return MetricValues.counter(app.metrics().registry(), name, labels);
  }

  private <T extends AutoCloseable> T own(T resource) {
    closeAfter.add(resource);
    return resource;
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    Eventually.await(what, Duration.ofSeconds(15), condition);
  }

  private static void drain(Socket s) {
    Thread reader = new Thread(() -> {
      try (InputStream in = s.getInputStream()) {
        byte[] buffer = new byte[1024];
        while (in.read(buffer) >= 0) {
          // read and never answer
        }
      } catch (IOException e) {
        // closed
      }
    }, "silent-redis-reader");
    reader.setDaemon(true);
    reader.start();
  }
}
