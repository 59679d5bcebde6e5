package io.tickvault.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.OwnPostgres;
import io.tickvault.server.testing.TestDependencies;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The primary's pool behind {@link FailFastDataSource} and {@link DatabaseHealthMonitor}, on a pool
 * of one connection: a call waiting for a connection fails at once when PostgreSQL is found gone, a
 * missing connection has PostgreSQL checked at once, and a pool that is only busy keeps its callers
 * waiting for their turn.
 */
class FailFastDataSourceIT {
  /** Longer than any test: only the checks a test asks for, or that the calls ask for, run. */
  private static final Duration NO_TICKS = Duration.ofHours(1);

  @Test
  void aBusyPool_isNotAnOutage_theWaitingCallGetsTheConnectionWhenItIsReturned() throws Exception {
    String url = TestDependencies.postgresAdminUrl();
    try (Pool pool = Pool.open(url)) {
      Connection held = pool.gate.getConnection();
      CompletableFuture<Connection> waiting = pool.getConnectionAsync();
      pool.awaitOneWaiting();

      pool.health.checkNow();
      assertThat(pool.health.check()).isTrue();
      assertThat(pool.health.reachable()).isTrue();
      assertThat(waiting).isNotDone();

      held.close();
      try (Connection turn = waiting.get(10, TimeUnit.SECONDS)) {
        assertThat(turn.isValid(1)).isTrue();
      }
    }
  }

  @Test
  void aCallWaitingForAConnection_failsAtOnceWhenPostgresIsFoundGone_andCallsSucceedOnceItIsBack() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start();
         Pool pool = Pool.open(postgres.url())) {
      Connection held = pool.gate.getConnection();
      CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
      CompletableFuture<Connection> waiting = pool.getConnectionAsync(interruptedAfter);
      pool.awaitOneWaiting();

      postgres.stop();
      long found = System.nanoTime();
      assertThat(pool.health.check()).isFalse();
      SQLException failure = failureOf(waiting);
      long answeredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - found);

      assertThat((Throwable) failure).isInstanceOf(SQLTransientConnectionException.class);
      assertThat(failure.getSQLState()).isEqualTo("08001");
      assertThat(DataAccessException.isUnreachable(failure)).isTrue();
      assertThat(answeredMillis).as("woken, not left to the 3 s connection timeout").isLessThan(1_000);
      assertThat(interruptedAfter.get(10, TimeUnit.SECONDS)).as("the waiter's interrupt is cleared").isFalse();
      long start = System.nanoTime();
      assertThat((Throwable) catchThrowableOfType(SQLTransientConnectionException.class, pool.gate::getConnection)).isNotNull();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("known down: no wait").isLessThan(100);
      held.close();

      postgres.restart();
      // The pool reconnects as HikariCP's backoff allows (up to 5 s apart after an outage).
      Eventually.await("the check passes again", Duration.ofSeconds(30), pool.health::check);
      try (Connection c = pool.gate.getConnection()) {
        assertThat(c.isValid(1)).isTrue();
      }
    }
  }

  @Test
  void aMissingConnection_hasPostgresCheckedAtOnce() throws Exception {
    try (OwnPostgres postgres = OwnPostgres.start();
         Pool pool = Pool.open(postgres.url())) {
      try (Connection c = pool.gate.getConnection(); Statement s = c.createStatement()) {
        postgres.stop();
        // The pool learns that its one connection is broken, and drops it when it is returned.
        assertThat((Throwable) catchThrowableOfType(SQLException.class, () -> s.execute("SELECT 1"))).isNotNull();
      }
      assertThat(pool.health.reachable()).as("no check has run since").isTrue();

      long start = System.nanoTime();
      SQLException failure = failureOf(pool.getConnectionAsync());
      long answeredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat((Throwable) failure).isInstanceOf(SQLTransientConnectionException.class);
      assertThat(failure.getSQLState()).isEqualTo("08001");
      assertThat(pool.health.isDown()).isTrue();
      assertThat(answeredMillis).as("checked at once, not at the next tick").isLessThan(1_000);
    }
  }

  private static SQLException failureOf(CompletableFuture<Connection> call) throws Exception {
    try {
      Connection unexpected = call.get(10, TimeUnit.SECONDS);
      unexpected.close();
      throw new AssertionError("a connection while PostgreSQL is down");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SQLException.class);
      return (SQLException) e.getCause();
    }
  }

  /** A pool of one connection, its monitor (ticking never) and its gate. */
  private record Pool(HikariDataSource hikari, DatabaseHealthMonitor health, FailFastDataSource gate)
      implements AutoCloseable {
    static Pool open(String url) {
      HikariDataSource hikari = Database.openPool(url, null, null, 1);
      DatabaseHealthMonitor health = new DatabaseHealthMonitor(Database.openProbe(url, null, null), hikari, System::nanoTime);
      FailFastDataSource gate = new FailFastDataSource(hikari, health);
      health.addListener(gate);
      health.start(NO_TICKS);
      return new Pool(hikari, health, gate);
    }

    CompletableFuture<Connection> getConnectionAsync() {
      return getConnectionAsync(new CompletableFuture<>());
    }

    /** A connection from the gate on a thread of its own, which says after whether it was left interrupted. */
    CompletableFuture<Connection> getConnectionAsync(CompletableFuture<Boolean> interruptedAfter) {
      CompletableFuture<Connection> result = new CompletableFuture<>();
      Thread thread = new Thread(() -> {
        try {
          result.complete(gate.getConnection());
        } catch (SQLException | RuntimeException e) {
          result.completeExceptionally(e);
        }
        interruptedAfter.complete(Thread.currentThread().isInterrupted());
      }, "waiter");
      thread.setDaemon(true);
      thread.start();
      return result;
    }

    void awaitOneWaiting() {
      Eventually.await("a call waits for the pool's connection", Duration.ofSeconds(10),
          () -> hikari.getHikariPoolMXBean().getThreadsAwaitingConnection() == 1);
    }

    @Override
    public void close() {
      health.close();
      hikari.close();
    }
  }
}
