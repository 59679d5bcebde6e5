package io.tickvault.server.app;

import io.tickvault.server.config.ConfigException;
import io.tickvault.server.config.Endpoints;
import io.tickvault.server.config.StartupException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The gRPC and metrics ports checked before anything starts: a port in use should cost a second
 * and one line, not the embedded PostgreSQL's start-up and a stack trace at the end of it.
 */
final class FreePorts {
  private FreePorts() {}

  static void require(Endpoints endpoints) {
    // Both held at once: a metrics port equal to the gRPC one is free on its own, and taken once
    // the gRPC server listens.
    try (ServerSocket grpc = bind(endpoints.bindAddress(), endpoints.grpcPort(), "TICKVAULT_GRPC_PORT");
         ServerSocket metrics = bindMetrics(endpoints)) {
      // both free
    } catch (IOException e) {
      throw new UncheckedIOException(e); // closing a socket we opened
    }
  }

  private static ServerSocket bindMetrics(Endpoints endpoints) {
    if (endpoints.metricsPort() != 0 && endpoints.metricsPort() == endpoints.grpcPort()) {
      try {
        return bind(endpoints.metricsBindAddress(), endpoints.metricsPort(), "TICKVAULT_METRICS_PORT");
      } catch (StartupException sameSocket) {
        throw new ConfigException("TICKVAULT_METRICS_PORT=" + endpoints.metricsPort()
            + ": the same port as TICKVAULT_GRPC_PORT; give the metrics a port of their own, or 0 for none");
      }
    }
    return bind(endpoints.metricsBindAddress(), endpoints.metricsPort(), "TICKVAULT_METRICS_PORT");
  }

  /** A socket bound as the server will bind, or null for port 0 (any free port, or no metrics). */
  private static ServerSocket bind(String address, int port, String variable) {
    if (port == 0) {
      return null;
    }
    ServerSocket socket = null;
    try {
      socket = new ServerSocket();
      socket.setReuseAddress(true); // as Netty binds: a port in TIME_WAIT is free
      socket.bind(new InetSocketAddress(address, port));
      return socket;
    } catch (IOException e) {
      closeQuietly(socket);
      throw new StartupException(address + ":" + port + " is already in use (" + variable + "=" + port
          + "): stop what listens there (another tickvault?), or set " + variable + " to a free port", e);
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      if (socket != null) {
        socket.close();
      }
    } catch (IOException ignored) {
      // it never listened
    }
  }
}
