package io.tickvault.server.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The one small helper over plain JDBC: statements with bound parameters, a row mapper, and
 * transactions. Repositories write their SQL inline and bind it through this.
 */
public final class Jdbc {
  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  /** Handles the current row of a result set, e.g. to encode it without keeping it. */
  @FunctionalInterface
  public interface RowHandler {
    void handle(ResultSet row) throws SQLException;
  }

  /** Work done on one connection. */
  @FunctionalInterface
  public interface ConnectionWork<T> {
    T apply(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;

  public Jdbc(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** Runs one statement in auto-commit and returns the update count. */
  public int execute(String sql, Object... params) {
    return withConnection(c -> execute(c, sql, params));
  }

  /** Runs a query in auto-commit and maps every row. */
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
    return withConnection(c -> query(c, sql, mapper, params));
  }

  /** Runs a query in auto-commit and hands every row to {@code handler}, in order. */
  public void forEachRow(String sql, RowHandler handler, Object... params) {
    withConnection(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, params);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            handler.handle(rs);
          }
        }
      }
      return null;
    });
  }

  /** Runs a query expected to return at most one row. */
  public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
    List<T> rows = query(sql, mapper, params);
    if (rows.size() > 1) {
      throw new IllegalStateException("expected at most one row, got " + rows.size() + ": " + sql);
    }
    return rows.stream().findFirst();
  }

  /** Runs work on one connection in one transaction: committed when it returns, rolled back when it throws. */
  public <T> T inTransaction(ConnectionWork<T> work) {
    return withConnection(c -> {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      T result;
      try {
        result = work.apply(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        // A broken connection is closed by the pool by now: restoring auto-commit would throw
        // "Connection is closed" and hide the real cause (a connection failure, i.e. UNAVAILABLE).
        if (!c.isClosed()) {
          try {
            c.setAutoCommit(autoCommit);
          } catch (SQLException restore) {
            e.addSuppressed(restore);
          }
        }
        throw e;
      }
      c.setAutoCommit(autoCommit);
      return result;
    });
  }

  /** Runs work on one pooled connection, translating {@link SQLException} to {@link DataAccessException}. */
  public <T> T withConnection(ConnectionWork<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.apply(c);
    } catch (SQLException e) {
      throw new DataAccessException(e.getMessage(), e);
    }
  }

  public static int execute(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(mapper.map(rs));
        }
        return rows;
      }
    }
  }

  private static void bind(PreparedStatement ps, Object... params) throws SQLException {
    StatementTimeout.apply(ps);
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
