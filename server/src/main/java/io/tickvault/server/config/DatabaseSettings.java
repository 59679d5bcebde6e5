package io.tickvault.server.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.postgresql.Driver;

/**
 * The PostgreSQL everything is stored in, and the streaming replica that history reads prefer
 * while it is fresh enough.
 *
 * @param url empty: the server starts an embedded PostgreSQL in its data directory
 * @param poolSize connections of the pool (the call executor has twice as many threads)
 * @param readUrl empty: history reads go to the primary too; same database name, user and
 *     password as the primary
 * @param readMaxLag past this replication lag, history reads go to the primary
 */
public record DatabaseSettings(Optional<String> url, Optional<String> user, Optional<String> password, int poolSize,
                               Optional<String> readUrl, Duration readMaxLag) {
  public static final int DEFAULT_POOL_SIZE = 10;
  public static final Duration DEFAULT_READ_MAX_LAG = Duration.ofMillis(5000);

  private static final Bounds POOL_SIZE = Bounds.number("TICKVAULT_DATABASE_POOL_SIZE", 1, 200);
  private static final Bounds READ_MAX_LAG =
      Bounds.positive("TICKVAULT_DATABASE_READ_MAX_LAG_MS", ChronoUnit.MILLIS, 3_600_000);

  public DatabaseSettings {
    POOL_SIZE.check(poolSize);
    READ_MAX_LAG.check(readMaxLag);
    if (readUrl.isPresent() && url.isEmpty()) {
      throw new ConfigException("TICKVAULT_DATABASE_READ_URL: a read replica needs TICKVAULT_DATABASE_URL (its primary)");
    }
  }

  public boolean isEmbedded() {
    return url.isEmpty();
  }

  static DatabaseSettings fromEnvironment(EnvReader env) {
    Optional<String> url = jdbcUrl(env, "TICKVAULT_DATABASE_URL");
    url.ifPresent(DatabaseSettings::refuseSavepoints);
    Optional<String> readUrl = jdbcUrl(env, "TICKVAULT_DATABASE_READ_URL");
    Duration readMaxLag = env.duration(READ_MAX_LAG, DEFAULT_READ_MAX_LAG);
    return new DatabaseSettings(url, env.string("TICKVAULT_DATABASE_USER"), env.string("TICKVAULT_DATABASE_PASSWORD"),
        env.integer(POOL_SIZE, DEFAULT_POOL_SIZE), readUrl, readMaxLag);
  }

  private static Optional<String> jdbcUrl(EnvReader env, String variable) {
    return env.string(variable).map(url -> {
      if (!url.startsWith("jdbc:postgresql://")) {
        throw new ConfigException(variable + ": expected jdbc:postgresql://host:port/database, got " + Redaction.urls(url));
      }
      // pgjdbc would take user:password@ for part of the host name, and echo it in its errors.
      if (url.substring("jdbc:postgresql://".length()).split("[/?]", 2)[0].contains("@")) {
        throw new ConfigException(variable + ": the PostgreSQL driver takes no user:password@ in the URL; give them as "
            + "?user=...&password=... or in TICKVAULT_DATABASE_USER and TICKVAULT_DATABASE_PASSWORD; got " + Redaction.urls(url));
      }
      // Read here as the driver will read it, so that a bad port is refused by name, not as "No suitable driver".
      if (Driver.parseURL(url, null) == null) {
        throw new ConfigException(variable + ": the PostgreSQL driver cannot read " + Redaction.urls(url)
            + " (expected jdbc:postgresql://host:port/database, the port a number)");
      }
      return url;
    });
  }

  /**
   * pgjdbc's {@code autosave} runs each statement of a transaction inside a savepoint, and the rows
   * it writes then carry the savepoint's transaction id: the trades' commit log names a batch's
   * trades by its transaction's own id (trade.TradeCommitLog), so a subscription would not find them.
   */
  private static void refuseSavepoints(String url) {
    String autosave = Driver.parseURL(url, null).getProperty("autosave", "never");
    if (!autosave.equalsIgnoreCase("never")) {
      throw new ConfigException("TICKVAULT_DATABASE_URL: autosave=" + autosave + " is not supported: the server's "
          + "writes must not run inside savepoints (leave autosave out); got " + Redaction.urls(url));
    }
  }

  /** Without the password, in the URLs or beside them. */
  @Override
  public String toString() {
    return "DatabaseSettings[url=" + url.map(Redaction::urls) + ", user=" + user + ", poolSize=" + poolSize
        + ", readUrl=" + readUrl.map(Redaction::urls) + ", readMaxLag=" + readMaxLag + "]";
  }
}
