package io.tickvault.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import com.zaxxer.hikari.HikariDataSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tickvault.server.db.DataAccessException;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import io.tickvault.server.db.StatementTimeout;
import io.tickvault.server.testing.TestDependencies;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What a call is answered when the database is busy rather than gone, on a real PostgreSQL: a pool
 * with every connection in use, and a statement cancelled at its time limit. Neither is UNAVAILABLE
 * (the database is not down) nor INTERNAL.
 */
class DatabaseErrorsIT {
  @Test
  void aPoolWithEveryConnectionInUse_isResourceExhaustedWithRetryInfo_notUnreachable() throws Exception {
    try (HikariDataSource pool = Database.openPool(TestDependencies.postgresAdminUrl(), null, null, 1);
         Connection held = pool.getConnection()) {
      DataAccessException busy = catchThrowableOfType(DataAccessException.class,
          () -> new Jdbc(pool).query("SELECT 1", row -> row.getInt(1)));

      assertThat(DataAccessException.isUnreachable(busy)).isFalse();
      StatusRuntimeException status = Errors.toStatus(busy);
      assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(status.getStatus().getDescription()).startsWith("server busy: ");
      assertThat(StatusProto.fromThrowable(status).getDetailsList()).anyMatch(d -> d.is(RetryInfo.class));
      assertThat(held.isValid(1)).isTrue();
    }
  }

  @Test
  void aStatementPastItsTimeLimit_isCancelledByPostgres_andResourceExhaustedWithoutRetryInfo() {
    try (HikariDataSource pool = Database.openPool(TestDependencies.postgresAdminUrl(), null, null, 1)) {
      Jdbc jdbc = new Jdbc(pool);
      long start = System.nanoTime();
      DataAccessException cancelled = catchThrowableOfType(DataAccessException.class,
          () -> StatementTimeout.run(Duration.ofSeconds(1), () -> jdbc.query("SELECT pg_sleep(30)", row -> 1)));
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertThat(millis).as("ms until the statement was cancelled").isLessThan(10_000);
      StatusRuntimeException status = Errors.toStatus(cancelled);
      assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      // No RetryInfo: asked again, the same query would run as long.
      assertThat(StatusProto.fromThrowable(status).getDetailsList()).isEmpty();
      // Outside the limited work, statements of the same thread have no limit.
      assertThat(jdbc.query("SELECT pg_sleep(1.5)::text", row -> row.getString(1))).hasSize(1);
    }
  }
}
