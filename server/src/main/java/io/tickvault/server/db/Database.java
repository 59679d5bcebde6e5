package io.tickvault.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import org.flywaydb.core.Flyway;

/** Opens the connection pool and brings the schema up to date with the Flyway migrations. */
public final class Database {
  /** How long a call waits for a connection before it fails with UNAVAILABLE. */
  public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

  private Database() {}

  public static HikariDataSource openPool(String url, String user, String password, int poolSize) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("tickvault");
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
    return new HikariDataSource(config);
  }

  public static void migrate(HikariDataSource dataSource) {
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }
}
