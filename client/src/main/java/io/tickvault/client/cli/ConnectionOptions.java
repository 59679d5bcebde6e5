package io.tickvault.client.cli;

import io.tickvault.client.TickvaultClient;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How to reach the server; a mixin of every command that calls it. */
final class ConnectionOptions {
  @Option(names = "--target", paramLabel = "HOST:PORT",
      description = "Server address, or dns:///host:port for round robin over its addresses "
          + "(env TICKVAULT_TARGET; default ${DEFAULT-VALUE}).",
      defaultValue = TickvaultClient.DEFAULT_TARGET)
  String target;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "Bearer token sent as 'authorization: Bearer TOKEN' (env TICKVAULT_TOKEN).")
  String token;

  @Option(names = "--tls", description = "Use TLS, trusting the JDK's certificate authorities (env TICKVAULT_TLS=true).")
  boolean tls;

  @Option(names = "--tls-ca", paramLabel = "FILE", description = "Use TLS, trusting the CA certificates in this PEM file (env TICKVAULT_TLS_CA).")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Client certificate (PEM) for mutual TLS (env TICKVAULT_TLS_CLIENT_CERT).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Client private key (PEM, PKCS#8) for mutual TLS (env TICKVAULT_TLS_CLIENT_KEY).")
  Path tlsKey;

  @Option(names = "--authority", paramLabel = "HOST", description = "Host name to check the server's certificate against, when it differs from the target's (env TICKVAULT_AUTHORITY).")
  String authority;

  @Option(names = "--deadline", paramLabel = "SECONDS", defaultValue = "10",
      description = "Deadline of each unary call in seconds, retries included (default ${DEFAULT-VALUE}).")
  double deadlineSeconds;

  /** A client as these options say; the caller closes it. */
  TickvaultClient connect() {
    if (deadlineSeconds <= 0) {
      throw new IllegalArgumentException("--deadline: must be positive, got " + deadlineSeconds);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key: give both or neither");
    }
    TickvaultClient.Builder builder = TickvaultClient.builder()
        .target(target)
        .token(token)
        .tls(tls)
        .deadline(Duration.ofMillis(Math.round(deadlineSeconds * 1000)));
    if (tlsCa != null) {
      builder.tlsCa(tlsCa);
    }
    if (tlsCert != null) {
      builder.tlsClientCertificate(tlsCert, tlsKey);
    }
    if (authority != null) {
      builder.authority(authority);
    }
    return builder.build();
  }
}
