package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.tickvault.server.testing.MetricValues;
import io.tickvault.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An error of the JVM on a server thread (out of direct memory while a page is sent) is not only a
 * stack trace on standard error: it is counted, and health says NOT_SERVING, for the whole server
 * and each service, so that an orchestrator sends callers elsewhere while it lasts.
 */
class HealthAfterJvmErrorIT {
  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  @Test
  void anOutOfMemoryErrorOnAServerThread_makesHealthNotServing_andIsCounted() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel());
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);

    Thread thread = new Thread(() -> {
      throw new OutOfMemoryError("Cannot reserve 2097152 bytes of direct buffer memory");
    }, "tickvault-heavy-test");
    thread.setUncaughtExceptionHandler(server.app().uncaughtErrors());
    thread.start();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }

    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health.check(HealthCheckRequest.newBuilder().setService("tickvault.v1.QueryService").build()).getStatus())
        .isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(MetricValues.counter(server.app().metrics().registry(), "tickvault_uncaught_errors_total", "kind", "jvm"))
        .isEqualTo(1);
  }
}
