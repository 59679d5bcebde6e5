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
import io.tickvault.server.testing.Replicas;
import io.tickvault.server.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two replicas on one database: a token revoked on A is refused by B within a second, through Redis,
 * and through the check of the table alone on a replica whose Redis is unreachable.
 */
class ReplicaRevocationIT {
  static final String ADMIN = "admin-token-0123456789abcdef";

  /** A, B, and a replica with no Redis at all: a revocation reaches it by its check of the table alone. */
  @RegisterExtension
  static Replicas replicas = Replicas.withAdminToken(ADMIN);

  @Test
  void revokedOnA_isRefusedOnB_withinOneSecond() {
    assertRefusedWithinOneSecond(replicas.b());
  }

  @Test
  void revokedOnA_isRefusedWithinOneSecond_byAReplicaThatHearsNothingFromRedis() {
    assertRefusedWithinOneSecond(replicas.withoutRedis());
  }

  private static void assertRefusedWithinOneSecond(TestServer other) {
    CreateTokenResponse created = TokenAdminServiceGrpc.newBlockingStub(as(replicas.a(), ADMIN)).createToken(
        CreateTokenRequest.newBuilder().setName("fleet").addPermissions(Permission.PERMISSION_API_KEYS_READ).build());
    String token = created.getToken();
    Eventually.await("the new token is accepted on the other replica", Duration.ofSeconds(5),
        () -> whoAmI(other, token) == Status.Code.OK);

    TokenAdminServiceGrpc.newBlockingStub(as(replicas.a(), ADMIN))
        .revokeToken(RevokeTokenRequest.newBuilder().setTokenId(created.getInfo().getTokenId()).build());
    long revokedAt = System.nanoTime();
    assertThat(whoAmI(replicas.a(), token)).isEqualTo(Status.Code.UNAUTHENTICATED);
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
