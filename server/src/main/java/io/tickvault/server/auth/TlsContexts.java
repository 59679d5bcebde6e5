package io.tickvault.server.auth;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.tickvault.server.config.ConfigException;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The server's TLS: a PEM certificate chain and PKCS#8 PEM private key; with a client CA, mutual
 * TLS where every client must present a certificate that CA signed.
 */
public final class TlsContexts {
  private TlsContexts() {}

  public static SslContext forServer(Path certChain, Path privateKey, Optional<Path> clientCa) {
    try {
      SslContextBuilder builder = GrpcSslContexts.forServer(certChain.toFile(), privateKey.toFile());
      clientCa.ifPresent(ca -> builder.trustManager(ca.toFile()).clientAuth(ClientAuth.REQUIRE));
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new ConfigException("TICKVAULT_TLS_CERT/TICKVAULT_TLS_KEY/TICKVAULT_TLS_CLIENT_CA: cannot be used ("
          + e.getMessage() + "); expected PEM certificates and a PKCS#8 PEM key");
    }
  }
}
