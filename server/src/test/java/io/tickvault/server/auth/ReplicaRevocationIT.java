package io.tickvault.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.AuthServiceGrpc;
import io.tickvault.api.v1.CreateTokenRequest;
import io.tickvault.api.v1.CreateTokenResponse;
import io.tickvault.api.v1.Permission;
import io.tickvault.api.v1.RevokeTokenRequest;
import io.tickvault.api.v1.TokenAdminServiceGrpc;
import io.tickvault.api.v1.WhoAmIRequest;
import io.tickvault.server.testing.Bearer;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two replicas on one database: a token revoked on A is refused by B within a second, through Redis,
 * and through the check of the table alone on a replica whose Redis is unreachable.
 */
class ReplicaRevocationIT {
  static final String ADMIN = "admin-token-0123456789abcdef";

  @RegisterExtension
  @Order(1)
  static TestServer replicaA = TestServer.inProcess()
      .configure(b -> b.authDisabled(false).adminTokens(List.of(ADMIN)));
  @RegisterExtension
  @Order(2)
  static TestServer replicaB = TestServer.inProcessReplicaOf(replicaA)
      .configure(b -> b.authDisabled(false).adminTokens(List.of(ADMIN)));
  /** No Redis at all: nothing is announced to it. */
  @RegisterExtension
  @Order(3)
  static TestServer replicaWithoutRedis = TestServer.inProcessReplicaOf(replicaA)
      .redisUrl("redis://127.0.0.1:1")
      .configure(b -> b.authDisabled(false).adminTokens(List.of(ADMIN)));

  @Test
  void revokedOnA_isRefusedOnB_withinOneSecond() {
    assertRefusedWithinOneSecond(replicaB);
  }

  @Test
  void revokedOnA_isRefusedWithinOneSecond_byAReplicaThatHearsNothingFromRedis() {
    assertRefusedWithinOneSecond(replicaWithoutRedis);
  }

  private static void assertRefusedWithinOneSecond(TestServer other) {
    CreateTokenResponse created = TokenAdminServiceGrpc.newBlockingStub(as(replicaA, ADMIN)).createToken(
        CreateTokenRequest.newBuilder().setName("fleet").addPermissions(Permission.PERMISSION_API_KEYS_READ).build());
    String token = created.getToken();
    Eventually.await("the new token is accepted on the other replica", Duration.ofSeconds(5),
        () -> whoAmI(other, token) == Status.Code.OK);

    TokenAdminServiceGrpc.newBlockingStub(as(replicaA, ADMIN))
        .revokeToken(RevokeTokenRequest.newBuilder().setTokenId(created.getInfo().getTokenId()).build());
    long revokedAt = System.nanoTime();
    assertThat(whoAmI(replicaA, token)).isEqualTo(Status.Code.UNAUTHENTICATED);
    Duration took = Eventually.await("the revoked token is refused on the other replica", Duration.ofSeconds(5),
        () -> whoAmI(other, token) == Status.Code.UNAUTHENTICATED);
    assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).as("after the revocation, %s", took)
        .isLessThan(Duration.ofSeconds(1));
  }

  private static Status.Code whoAmI(TestServer server, String token) {
    try {
      AuthServiceGrpc.newBlockingStub(as(server, token)).whoAmI(WhoAmIRequest.getDefaultInstance());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static Channel as(TestServer server, String token) {
    return Bearer.channel(server.channel(), token);
  }
}
