package io.tickvault.server.auth;

import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.server.testing.TestCertificates;
import io.tickvault.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The authorization rules over mutual TLS: a client certificate signed by the client CA is
 * required, and a bearer token on top of it.
 */
class MutualTlsAuthorizationIT extends AuthorizationContract {
  static final Path DIR = TlsAuthorizationIT.tempDir();
  static final TestCertificates SERVER_CA = TestCertificates.newCa(DIR, "server");
  static final TestCertificates CLIENT_CA = TestCertificates.newCa(DIR, "clients");
  static final TestCertificates.Pem SERVER = SERVER_CA.server();

  @RegisterExtension
  static TestServer server = TestServer.netty().configure(b -> withTokens(b)
      .tlsCert(SERVER.certificate()).tlsKey(SERVER.privateKey()).tlsClientCa(CLIENT_CA.ca().certificate()));

  static ManagedChannel mtls;

  @Override
  Channel channel() {
    if (mtls == null) {
      mtls = TlsAuthorizationIT.tlsChannel(server.port(), SERVER_CA, CLIENT_CA.client("worker-1"));
    }
    return mtls;
  }

  @AfterAll
  static void closeChannel() {
    if (mtls != null) {
      mtls.shutdownNow();
    }
  }

  @Test
  void clientWithoutACertificate_isRefusedEvenWithAToken() {
    assertRefused(TlsAuthorizationIT.tlsChannel(server.port(), SERVER_CA, null));
  }

  @Test
  void clientWithACertificateFromAnotherCa_isRefused() {
    TestCertificates stranger = TestCertificates.newCa(DIR, "stranger-clients");
    assertRefused(TlsAuthorizationIT.tlsChannel(server.port(), SERVER_CA, stranger.client("intruder")));
  }

  private static void assertRefused(ManagedChannel channel) {
    try {
      Status.Code code = rpcError(() -> withToken(ApiKeyServiceGrpc.newBlockingStub(channel), ADMIN)
          .getApiKeys(GetApiKeysRequest.newBuilder().setUserId("u").build())).getStatus().getCode();
      assertThat(code).isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      channel.shutdownNow();
    }
  }
}
