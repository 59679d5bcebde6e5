package io.tickvault.server.auth;

import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.server.testing.TestCertificates;
import io.tickvault.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The authorization rules over TLS (server certificate only), and a plaintext client refused. */
class TlsAuthorizationIT extends AuthorizationContract {
  static final Path DIR = tempDir();
  static final TestCertificates CA = TestCertificates.newCa(DIR, "tls");
  static final TestCertificates.Pem SERVER = CA.server();

  @RegisterExtension
  static TestServer server = TestServer.netty().configure(b -> withTokens(b)
      .tlsCert(SERVER.certificate()).tlsKey(SERVER.privateKey()));

  static ManagedChannel tls;

  @Override
  Channel channel() {
    if (tls == null) {
      tls = tlsChannel(server.port(), CA, null);
    }
    return tls;
  }

  @AfterAll
  static void closeChannel() {
    if (tls != null) {
      tls.shutdownNow();
    }
  }

  @Test
  void plaintextClient_cannotTalkToATlsServer() {
    ManagedChannel plaintext = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      Status.Code code = rpcError(() -> withToken(ApiKeyServiceGrpc.newBlockingStub(plaintext), WORKER)
          .getApiKeys(GetApiKeysRequest.newBuilder().setUserId("u").build())).getStatus().getCode();
      assertThat(code).isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      plaintext.shutdownNow();
    }
  }

  @Test
  void clientThatDoesNotTrustTheServersCa_cannotConnect() {
    ManagedChannel untrusting = tlsChannel(server.port(), TestCertificates.newCa(DIR, "stranger"), null);
    try {
      assertThat(rpcError(() -> withToken(ApiKeyServiceGrpc.newBlockingStub(untrusting), WORKER)
          .getApiKeys(GetApiKeysRequest.newBuilder().setUserId("u").build())).getStatus().getCode())
          .isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      untrusting.shutdownNow();
    }
  }

  /** A TLS channel trusting {@code trusted}'s CA, presenting {@code clientCert} when not null. */
  static ManagedChannel tlsChannel(int port, TestCertificates trusted, TestCertificates.Pem clientCert) {
    try {
      var ssl = GrpcSslContexts.forClient().trustManager(trusted.ca().certificate().toFile());
      if (clientCert != null) {
        ssl.keyManager(clientCert.certificate().toFile(), clientCert.privateKey().toFile());
      }
      return NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(ssl.build()).build();
    } catch (SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("tickvault-tls");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
