package io.tickvault.server.app;

import io.tickvault.server.config.ConfigException;
import io.tickvault.server.config.DatabaseSettings;
import io.tickvault.server.config.Redaction;
import io.tickvault.server.config.StartupException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A start-up failure as one line that says what is wrong and what to do, like the configuration
 * errors: the database's refusals are told apart by their SQLSTATE, not left as a page of
 * HikariPool$PoolInitializationException.
 */
final class StartupErrors {
  private static final Pattern JDBC_URL = Pattern.compile("jdbc:postgresql://([^/?]*)/?([^?]*)");

  private StartupErrors() {}

  /** The line, without the pointer to --debug that the caller adds, and without any URL's password. */
  static String describe(Throwable failure, DatabaseSettings database) {
    return Redaction.urls(line(failure, database));
  }

  private static String line(Throwable failure, DatabaseSettings database) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof StartupException || t instanceof ConfigException) {
        return t.getMessage();
      }
      Throwable timeout = timeout(t);
      if (timeout != null) {
        return "PostgreSQL at " + part(database, 1) + " did not answer in time (" + firstLine(timeout.getMessage())
            + "): is it PostgreSQL that listens there, and does TICKVAULT_DATABASE_URL name it?";
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return refusal(sql, database);
      }
      if (t instanceof UnknownHostException || t instanceof ConnectException) {
        return cannotReach(database, firstLine(t.getMessage()));
      }
    }
    return "could not start: " + firstLine(String.valueOf(failure.getMessage()));
  }

  /**
   * The socket timeout under a failure of the driver: something listens at the URL's port, but it
   * does not answer PostgreSQL's handshake (another service, or a host that drops the packets).
   */
  private static Throwable timeout(Throwable t) {
    if (!(t instanceof SQLException) && !(t instanceof SocketTimeoutException)) {
      return null;
    }
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (cause instanceof SocketTimeoutException) {
        return cause;
      }
    }
    return null;
  }

  private static String refusal(SQLException sql, DatabaseSettings database) {
    String user = database.user().orElse(userInUrl(database));
    String reason = firstLine(sql.getMessage());
    return switch (sql.getSQLState()) {
      case "28P01" -> "PostgreSQL refused the password of user '" + user + "' (" + reason
          + "): check TICKVAULT_DATABASE_PASSWORD (or the password in TICKVAULT_DATABASE_URL)";
      case "28000" -> "PostgreSQL refused user '" + user + "' (" + reason
          + "): check TICKVAULT_DATABASE_USER, and that pg_hba.conf lets it in from this host";
      case "3D000" -> "database '" + part(database, 2) + "' does not exist on " + part(database, 1) + " (" + reason
          + "): create it (CREATE DATABASE " + part(database, 2) + ") or fix TICKVAULT_DATABASE_URL";
      case "57P03" -> "PostgreSQL at " + part(database, 1) + " is starting up or shutting down (" + reason + "): start again in a moment";
      case "42501" -> "user '" + user + "' may not create the schema in database '" + part(database, 2) + "' (" + reason
          + "): grant it CREATE on the database, or run once as its owner";
      default -> sql.getSQLState().startsWith("08")
          ? cannotReach(database, reason)
          : "PostgreSQL refused to start the server (SQLSTATE " + sql.getSQLState() + ": " + reason + ")";
    };
  }

  private static String cannotReach(DatabaseSettings database, String reason) {
    return "cannot reach PostgreSQL at " + part(database, 1) + " (" + reason
        + "): is it running and reachable from here, and does TICKVAULT_DATABASE_URL name it?";
  }

  /** Group 1: host:port, group 2: the database, of TICKVAULT_DATABASE_URL. */
  private static String part(DatabaseSettings database, int group) {
    Matcher m = JDBC_URL.matcher(database.url().orElse("jdbc:postgresql://127.0.0.1/postgres"));
    return m.lookingAt() && !m.group(group).isEmpty() ? m.group(group) : group == 2 ? "postgres" : "?";
  }

  private static String userInUrl(DatabaseSettings database) {
    Matcher m = Pattern.compile("[?&]user=([^&]*)").matcher(database.url().orElse(""));
    return m.find() ? m.group(1) : System.getProperty("user.name");
  }

  private static String firstLine(String text) {
    return text == null ? "" : text.lines().findFirst().orElse("").trim();
  }
}
