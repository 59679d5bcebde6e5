package io.tickvault.server.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source in front of HikariCP pools, which carry their own credentials, timeouts and
 * logging: the parts of {@link DataSource} about those are refused or empty here, written once for
 * {@link FailFastDataSource} and {@link ReadDataSource}. It unwraps to itself only, unless the
 * subclass says more.
 */
abstract class PoolFrontDataSource implements DataSource {
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the pools carry their own credentials");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // nothing is logged through JDBC's writer
  }

  @Override
  public void setLoginTimeout(int seconds) {
    // the pools have their own timeouts
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper of " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this);
  }
}
