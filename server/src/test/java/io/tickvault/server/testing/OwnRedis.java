package io.tickvault.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import redis.embedded.RedisServer;

/**
 * An embedded Redis of the test's own, on a free loopback port, that a fault test may stop and
 * start again on the same port. Never the machine's shared Redis.
 */
public final class OwnRedis implements AutoCloseable {
  private final int port;
  private RedisServer server;

  private OwnRedis(int port) {
    this.port = port;
  }

  public static OwnRedis start() {
    OwnRedis redis = new OwnRedis(TestDependencies.freePort());
    redis.restart();
    return redis;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Stops the server; clients see connection refused until {@link #restart()}. */
  public synchronized void stop() {
    try {
      if (server != null) {
        server.stop();
        server = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the server (again) on the same port, empty. */
  public synchronized void restart() {
    try {
      server = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("save \"\"")
          .setting("appendonly no")
          .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
