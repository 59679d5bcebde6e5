package io.tickvault.server.config;

/**
 * Where the server listens: the gRPC port, and the Prometheus metrics port on an address of its
 * own, since it needs no token. Nothing is open to the network unless told so: both addresses
 * default to the loopback, and a container image says 0.0.0.0 (ours does).
 *
 * @param grpcPort 0: any free port
 * @param metricsPort 0: no metrics endpoint
 */
public record Endpoints(int grpcPort, String bindAddress, int metricsPort, String metricsBindAddress) {
  public static final int DEFAULT_GRPC_PORT = 50051;
  public static final int DEFAULT_METRICS_PORT = 9464;
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  private static final Bounds GRPC_PORT = Bounds.number("TICKVAULT_GRPC_PORT", 0, 65535);
  private static final Bounds METRICS_PORT = Bounds.number("TICKVAULT_METRICS_PORT", 0, 65535);

  /** A null address is the default one. */
  public Endpoints {
    GRPC_PORT.check(grpcPort);
    METRICS_PORT.check(metricsPort);
    bindAddress = bindAddress != null ? bindAddress : DEFAULT_BIND_ADDRESS;
    metricsBindAddress = metricsBindAddress != null ? metricsBindAddress : DEFAULT_BIND_ADDRESS;
  }

  static Endpoints fromEnvironment(EnvReader env) {
    return new Endpoints(env.integer(GRPC_PORT, DEFAULT_GRPC_PORT), env.string("TICKVAULT_BIND_ADDRESS").orElse(null),
        env.integer(METRICS_PORT, DEFAULT_METRICS_PORT), env.string("TICKVAULT_METRICS_BIND_ADDRESS").orElse(null));
  }
}
