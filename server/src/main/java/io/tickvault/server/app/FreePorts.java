package io.tickvault.server.app;

import io.tickvault.server.config.Endpoints;
import io.tickvault.server.config.StartupException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The gRPC and metrics ports checked before anything starts: a port in use should cost a second
 * and one line, not the embedded PostgreSQL's start-up and a stack trace at the end of it.
 */
final class FreePorts {
  private FreePorts() {}

  static void require(Endpoints endpoints) {
    require(endpoints.bindAddress(), endpoints.grpcPort(), "TICKVAULT_GRPC_PORT");
    require(endpoints.bindAddress(), endpoints.metricsPort(), "TICKVAULT_METRICS_PORT");
  }

  private static void require(String address, int port, String variable) {
    if (port == 0) {
      return; // any free port, or (metrics) none
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true); // as Netty binds: a port in TIME_WAIT is free
      socket.bind(new InetSocketAddress(address, port));
    } catch (IOException e) {
      throw new StartupException(address + ":" + port + " is already in use (" + variable + "=" + port
          + "): stop what listens there (another tickvault?), or set " + variable + " to a free port", e);
    }
  }
}
