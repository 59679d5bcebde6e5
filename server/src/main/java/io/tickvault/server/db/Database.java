package io.tickvault.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/** Opens the connection pool and brings the schema up to date with the Flyway migrations. */
public final class Database {
  /** How long a call waits for a connection before it fails with UNAVAILABLE. */
  public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);
  /**
   * How long start-up waits for PostgreSQL to accept its first connection, and for each answer of
   * the handshake. The driver may try twice (with TLS, then without, under sslmode=prefer), so a
   * port that never answers fails start-up after about twice this.
   */
  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(3);

  private Database() {}

  /**
   * How long a read waits for a replica connection before it goes to the primary instead: a
   * replica that just went away should cost a read little.
   */
  public static final Duration REPLICA_CONNECTION_TIMEOUT = Duration.ofMillis(500);

  public static HikariDataSource openPool(String url, String user, String password, int poolSize) {
    return new HikariDataSource(poolConfig("tickvault", url, user, password, poolSize));
  }

  /**
   * A pool on a streaming replica, for reads only. Unlike the primary's, it opens even while the
   * replica is down (the server starts and reads go to the primary until it answers) and it waits
   * only {@link #REPLICA_CONNECTION_TIMEOUT} for a connection.
   */
  public static HikariDataSource openReplicaPool(String url, String user, String password, int poolSize) {
    HikariConfig config = poolConfig("tickvault-replica", url, user, password, poolSize);
    config.setConnectionTimeout(REPLICA_CONNECTION_TIMEOUT.toMillis());
    config.setValidationTimeout(REPLICA_CONNECTION_TIMEOUT.toMillis());
    config.setInitializationFailTimeout(-1);
    config.setReadOnly(true);
    config.addDataSourceProperty("connectTimeout", "1");
    return new HikariDataSource(config);
  }

  /**
   * The audit writer's own pool: two connections, never shared with calls, so a busy pool does not
   * hold an audit group back. It opens while PostgreSQL is down and gives up on a connection after
   * {@link #AUDIT_CONNECTION_TIMEOUT}, a statement after two seconds: the writer then spools
   * instead (well within the second a secret waits for its record).
   */
  public static HikariDataSource openAuditPool(String url, String user, String password) {
    HikariConfig config = poolConfig("tickvault-audit", url, user, password, 2);
    config.setConnectionTimeout(AUDIT_CONNECTION_TIMEOUT.toMillis());
    config.setValidationTimeout(AUDIT_CONNECTION_TIMEOUT.toMillis());
    config.setInitializationFailTimeout(-1);
    config.addDataSourceProperty("connectTimeout", "1");
    config.addDataSourceProperty("socketTimeout", "2");
    return new HikariDataSource(config);
  }

  /** How long the audit writer waits for a connection before it spools. */
  public static final Duration AUDIT_CONNECTION_TIMEOUT = Duration.ofMillis(250);

  /**
   * Unpooled connections for {@link DatabaseHealthMonitor}'s own, with short timeouts whatever the
   * URL says: a check ends within a second or two even when PostgreSQL's host does not answer at
   * all. A refused connection fails at once. No login timeout: the driver would connect on a thread
   * it starts for each attempt, which on a busy machine costs more than the refusal itself.
   */
  public static DataSource openProbe(String url, String user, String password) {
    PGSimpleDataSource probe = new PGSimpleDataSource();
    probe.setURL(url);
    if (user != null) {
      probe.setUser(user);
    }
    if (password != null) {
      probe.setPassword(password);
    }
    probe.setConnectTimeout(1);
    probe.setSocketTimeout(2);
    probe.setTcpKeepAlive(true);
    probe.setApplicationName("tickvault health check");
    return probe;
  }

  /**
   * Connects once and closes, waiting at most {@link #STARTUP_TIMEOUT} for the connection and then
   * for each answer of the handshake, whatever the URL says: a URL that names a port where nothing
   * answers, or where something else listens (Redis waits for a line that never comes), fails the
   * start-up in seconds. Throws a {@link DataAccessException} whose cause is the driver's error, its
   * SQLSTATE telling a refusal apart.
   */
  public static void connectOnce(String url, String user, String password) {
    PGSimpleDataSource first = new PGSimpleDataSource();
    first.setURL(url);
    if (user != null) {
      first.setUser(user);
    }
    if (password != null) {
      first.setPassword(password);
    }
    int seconds = (int) STARTUP_TIMEOUT.toSeconds();
    first.setConnectTimeout(seconds);
    first.setSocketTimeout(seconds);
    first.setApplicationName("tickvault start-up");
    try (Connection connection = first.getConnection()) {
      // reached, logged in, and the database exists
    } catch (SQLException e) {
      throw new DataAccessException("cannot connect to PostgreSQL", e);
    }
  }

  private static HikariConfig poolConfig(String name, String url, String user, String password, int poolSize) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url);
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(poolSize);
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    config.setValidationTimeout(Duration.ofSeconds(2).toMillis());
    // A connection that stops answering must not hold a call forever.
    config.addDataSourceProperty("socketTimeout", "60");
    config.addDataSourceProperty("connectTimeout", "3");
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("ApplicationName", "tickvault");
    return config;
  }

  public static void migrate(HikariDataSource dataSource) {
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }
}
