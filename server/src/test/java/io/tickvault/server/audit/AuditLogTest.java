package io.tickvault.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.testing.MetricValues;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue's bound and the one-second limit, with a writer that never gets to write (not started). */
class AuditLogTest {
  @TempDir
  Path spool;

  @Test
  void pastTheQueuesBound_aSecretsRecordFailsAtOnce_andAnotherRecordIsDroppedAndCounted() {
    PrometheusRegistry registry = new PrometheusRegistry();
    AuditLog log = new AuditLog(AuditKeys.of(new byte[32], List.of()), new AuditRepository(new Jdbc(null)), spool,
        1 << 20, () -> true, registry, Clock.systemUTC(), System::nanoTime);
    try {
      List<CompletableFuture<Void>> waiting = new ArrayList<>();
      for (int i = 0; i < AuditLog.MAX_QUEUED; i++) {
        waiting.add(log.recordDurably(event()));
      }
      assertThat(waiting).noneMatch(CompletableFuture::isDone);
      assertThat(MetricValues.gauge(registry, "tickvault_audit_queued_records")).isEqualTo(AuditLog.MAX_QUEUED);

      CompletableFuture<Void> refused = log.recordDurably(event());
      assertThat(refused).isCompletedExceptionally();
      assertThat(catchThrowable(refused::join)).hasCauseInstanceOf(AuditUnavailableException.class);
      log.record(event());
      assertThat(MetricValues.counter(registry, "tickvault_audit_records_total", "outcome", "dropped")).isEqualTo(1);

      // Nothing writes them: each fails once its second is up.
      Throwable late = catchThrowable(() -> waiting.get(0).get(5, TimeUnit.SECONDS));
      assertThat(late).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
    } finally {
      log.close();
    }
  }

  private static AuditEvent event() {
    return new AuditEvent(1, "token", "peer", "tickvault.v1.ApiKeyService/GetApiKeys", "user", 1, "OK");
  }
}
