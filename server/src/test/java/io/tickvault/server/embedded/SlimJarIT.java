package io.tickvault.server.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.tickvault.server.testing.Ports;
import io.tickvault.server.testing.ServerProcess;
import io.tickvault.server.testing.TestDatabase;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * tickvault-server-slim.jar, the jar the Docker image runs, as {@code ./mvnw package} made it: it
 * serves on external PostgreSQL and Redis, and without either says what to set instead of failing
 * on the embedded classes it leaves out.
 */
class SlimJarIT {
  private static final Path JAR = Path.of("target", "tickvault-server-slim.jar");

  @RegisterExtension
  static TestDatabase database = new TestDatabase();

  @TempDir
  Path dir;

  @Test
  void servesOnExternalPostgresAndRedis() {
    assertThat(JAR).as("made by ./mvnw package, before the integration tests").exists();
    try (ServerProcess server = ServerProcess.startJar(JAR, database.url(), Map.of())) {
      assertThat(HealthGrpc.newBlockingStub(server.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void withoutDatabaseUrl_saysWhatToSet_andWritesNothing() {
    Path data = dir.resolve("data");

    ServerProcess.Failed failed = ServerProcess.jarExpectingFailure(JAR, Map.of(
        "TICKVAULT_DATA_DIR", data.toString(),
        "TICKVAULT_GRPC_PORT", String.valueOf(Ports.free()),
        "TICKVAULT_METRICS_PORT", "0"));

    assertOneLine(failed, "tickvault: TICKVAULT_DATABASE_URL is not set, and this server (tickvault-server-slim.jar, as in the "
        + "Docker image) has no embedded PostgreSQL: set TICKVAULT_DATABASE_URL, TICKVAULT_REDIS_URL and TICKVAULT_MASTER_KEY "
        + "to use external ones");
    assertThat(data).as("no master key generated for an embedded mode it cannot run").doesNotExist();
  }

  @Test
  void withoutRedisUrl_saysWhatToSet() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);

    ServerProcess.Failed failed = ServerProcess.jarExpectingFailure(JAR, Map.of(
        "TICKVAULT_DATABASE_URL", database.url(),
        "TICKVAULT_MASTER_KEY", Base64.getEncoder().encodeToString(key),
        "TICKVAULT_AUTH", "disabled",
        "TICKVAULT_DATA_DIR", dir.resolve("data").toString(),
        "TICKVAULT_GRPC_PORT", String.valueOf(Ports.free()),
        "TICKVAULT_METRICS_PORT", "0"));

    assertOneLine(failed, "tickvault: TICKVAULT_REDIS_URL is not set, and this server (tickvault-server-slim.jar, as in the "
        + "Docker image) has no embedded Redis: set TICKVAULT_DATABASE_URL, TICKVAULT_REDIS_URL and TICKVAULT_MASTER_KEY "
        + "to use external ones");
  }

  /** Exit 1, the one line on standard error, no stack trace in it or in the log. */
  private static void assertOneLine(ServerProcess.Failed failed, String line) {
    assertThat(failed.exitCode()).as(failed.stderr()).isEqualTo(1);
    assertThat(failed.stderr()).isEqualTo(line + " (--debug shows the stack trace)\n");
    assertThat(failed.stdout()).as("the log").doesNotContain("\tat ");
  }
}
