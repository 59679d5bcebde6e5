package io.tickvault.server.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS on the gRPC port: on with a certificate chain and its key, mutual with a client CA too.
 *
 * @param cert the server's certificate chain (PEM)
 * @param key its PKCS#8 key (PEM)
 * @param clientCa clients must present a certificate signed by it
 */
public record TlsSettings(Optional<Path> cert, Optional<Path> key, Optional<Path> clientCa) {
  public TlsSettings {
    if (cert.isPresent() != key.isPresent()) {
      throw new ConfigException("TICKVAULT_TLS_CERT and TICKVAULT_TLS_KEY: set both or neither");
    }
    if (clientCa.isPresent() && cert.isEmpty()) {
      throw new ConfigException("TICKVAULT_TLS_CLIENT_CA: needs TICKVAULT_TLS_CERT and TICKVAULT_TLS_KEY");
    }
  }

  /** "plaintext", "TLS" or "mTLS". */
  public String mode() {
    return cert.isEmpty() ? "plaintext" : clientCa.isPresent() ? "mTLS" : "TLS";
  }

  static TlsSettings fromEnvironment(EnvReader env) {
    return new TlsSettings(env.file("TICKVAULT_TLS_CERT"), env.file("TICKVAULT_TLS_KEY"), env.file("TICKVAULT_TLS_CLIENT_CA"));
  }
}
