package io.tickvault.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.tickvault.server.testing.TestDependencies;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * V3 on a database that already holds order books: every level row gets its header's market,
 * the market leads the keys of both tables, and no row is lost or changed.
 */
class MarketKeyedLevelsMigrationIT {
  private final String name = "tv_test_v3_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private HikariDataSource pool;

  @AfterEach
  void drop() throws Exception {
    if (pool != null) {
      pool.close();
    }
    admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  @Test
  void existingLevelsTakeTheirHeadersMarketAndKeepTheirValues() throws Exception {
    admin("CREATE DATABASE " + name);
    String admin = TestDependencies.postgresAdminUrl();
    int query = admin.indexOf('?');
    int slash = admin.indexOf('/', "jdbc:postgresql://".length());
    pool = Database.openPool(admin.substring(0, slash) + "/" + name + (query < 0 ? "" : admin.substring(query)), null, null, 2);
    Flyway.configure().dataSource(pool).locations("classpath:db/migration").target("2").load().migrate();
    Jdbc jdbc = new Jdbc(pool);
    jdbc.execute("""
        INSERT INTO orderbook_snapshots (snapshot_id, exchange_id, currency_pair_no, server_time_ms, sequence_id,
                                         receive_time_ms, bid_count, ask_count)
        VALUES (1, 1, 7, 1000, 1, 1001, 2, 1), (2, 2, 7, 1000, 1, 1001, 1, 0)""");
    jdbc.execute("""
        INSERT INTO orderbook_levels (snapshot_id, side, level_index, price, quantity)
        VALUES (1, 1, 0, 100.50, 1), (1, 1, 1, 100.40, 2.000), (1, 2, 0, 100.60, 3), (2, 1, 0, 9.99, 4)""");

    Database.migrate(pool);

    assertThat(jdbc.query("""
            SELECT exchange_id, currency_pair_no, snapshot_id, side, level_index, price::text, quantity::text
              FROM orderbook_levels ORDER BY snapshot_id, side, level_index""",
        r -> r.getInt(1) + "/" + r.getInt(2) + " " + r.getLong(3) + " " + r.getInt(4) + " " + r.getInt(5) + " "
            + r.getString(6) + " " + r.getString(7)))
        .containsExactly("1/7 1 1 0 100.50 1", "1/7 1 1 1 100.40 2.000", "1/7 1 2 0 100.60 3", "2/7 2 1 0 9.99 4");
    assertThat(jdbc.query("""
            SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conname IN ('uq_orderbook_level', 'pk_orderbook_snapshots') ORDER BY 1""", r -> r.getString(1)))
        .containsExactly(
            "orderbook_levels PRIMARY KEY (exchange_id, currency_pair_no, snapshot_id, side, level_index)",
            "orderbook_snapshots PRIMARY KEY (exchange_id, currency_pair_no, snapshot_id)");
    assertThatThrownBy(() -> jdbc.execute(
        "INSERT INTO orderbook_levels (snapshot_id, side, level_index, price, quantity) VALUES (3, 1, 0, 1, 1)"))
        .hasMessageContaining("exchange_id");
  }

  private static void admin(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(TestDependencies.postgresAdminUrl()); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
