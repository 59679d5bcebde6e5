package io.tickvault.server.testing;

import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.server.db.Database;
import io.tickvault.server.db.Jdbc;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh, migrated database per test class on the tests' PostgreSQL, dropped afterwards, so test
 * classes never see each other's rows. Use as {@code @RegisterExtension static TestDatabase db =
 * new TestDatabase();}.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {
  private static final String DEADLOCK_DETECTED = "40P01";

  private final String adminUrl;
  private String name;
  private String url;
  private HikariDataSource dataSource;

  public TestDatabase() {
    this(null);
  }

  /** A database on the given server (an {@link OwnPostgres#url()}), or on the shared one when null. */
  public TestDatabase(String adminUrl) {
    this.adminUrl = adminUrl;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    create();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    drop();
  }

  public void create() {
    String admin = adminUrl != null ? adminUrl : TestDependencies.postgresAdminUrl();
    name = "tv_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    adminExecute(admin, "CREATE DATABASE " + name);
    url = withDatabase(admin, name);
    dataSource = Database.openPool(url, null, null, 4);
    Database.migrate(dataSource);
  }

  public void drop() {
    if (dataSource != null) {
      dataSource.close();
      dataSource = null;
    }
    if (name != null) {
      String admin = adminUrl != null ? adminUrl : TestDependencies.postgresAdminUrl();
      adminExecute(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      name = null;
    }
  }

  /** JDBC URL of this database, user included. */
  public String url() {
    return url;
  }

  public HikariDataSource dataSource() {
    return dataSource;
  }

  public Jdbc jdbc() {
    return new Jdbc(dataSource);
  }

  /**
   * Empties the named tables (between tests of one class). The server under test keeps reading in
   * the background (feed freshness, market state repair), and a reader that holds one of the tables
   * while TRUNCATE holds another is a deadlock PostgreSQL breaks by failing one side; the TRUNCATE
   * then simply runs again.
   */
  public void truncate(String... tables) {
    String sql = "TRUNCATE " + String.join(", ", tables);
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.execute(sql);
        return;
      } catch (SQLException e) {
        if (!DEADLOCK_DETECTED.equals(e.getSQLState()) || attempt == 5) {
          throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
      }
    }
  }

  /** Replaces the database name in a JDBC URL, keeping its parameters. */
  static String withDatabase(String jdbcUrl, String database) {
    int query = jdbcUrl.indexOf('?');
    String base = query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    String params = query < 0 ? "" : jdbcUrl.substring(query);
    int slash = base.indexOf('/', "jdbc:postgresql://".length());
    return (slash < 0 ? base : base.substring(0, slash)) + "/" + database + params;
  }

  private static void adminExecute(String adminUrl, String sql) {
    try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
