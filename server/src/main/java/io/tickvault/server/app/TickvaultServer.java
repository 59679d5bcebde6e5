package io.tickvault.server.app;

import io.grpc.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the gRPC {@link Server}: start, stop with a grace period, block until it is down.
 *
 * @param endStreams ends the long-lived streams once no new call is taken (ingestion streams
 *     never end on their own): they commit what they read and answer UNAVAILABLE, retryable
 */
public record TickvaultServer(Server server, Duration grace, Runnable endStreams) {
  private static final Logger log = LoggerFactory.getLogger(TickvaultServer.class);

  public void start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the gRPC server: " + e.getMessage(), e);
    }
  }

  /** The port it listens on (-1 for the in-process transport). */
  public int port() {
    return server.getPort();
  }

  /**
   * Stops taking new calls, ends the open streams (they commit and acknowledge what they read,
   * then answer UNAVAILABLE), lets calls in flight finish within the grace period, then cancels
   * the rest. Returns true when everything finished within the grace period.
   */
  public boolean stop() {
    server.shutdown();
    endStreams.run();
    try {
      if (server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      log.warn("calls still running after the {} s grace period: cancelling them", grace.toSeconds());
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
      return false;
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }
}
