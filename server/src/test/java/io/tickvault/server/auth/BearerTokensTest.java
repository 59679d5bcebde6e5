package io.tickvault.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.grpc.Permission;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class BearerTokensTest {
  private final BearerTokens tokens = new BearerTokens(
      List.of("worker-token-aaaaaaaaaaaa", "both-token-cccccccccccc"),
      List.of("admin-token-bbbbbbbbbbbbb", "both-token-cccccccccccc"));

  @Test
  void knownTokens_areTheCallersOfTheirPreset() {
    Caller worker = tokens.callerOf("worker-token-aaaaaaaaaaaa").orElseThrow();
    assertThat(worker.permissions()).containsExactly(
        Permission.API_KEYS_READ, Permission.MARKET_DATA_WRITE, Permission.MARKET_DATA_READ);
    assertThat(worker.scope().isUnrestricted()).isTrue();
    assertThat(worker.name()).isEqualTo("TICKVAULT_WORKER_TOKENS");
    Caller admin = tokens.callerOf("admin-token-bbbbbbbbbbbbb").orElseThrow();
    assertThat(admin.permissions()).isEqualTo(EnumSet.allOf(Permission.class));
  }

  @Test
  void aTokensId_isStableAndNamesItsPresetButNotTheToken() {
    // echo -n worker-token-aaaaaaaaaaaa | sha256sum
    String id = tokens.callerOf("worker-token-aaaaaaaaaaaa").orElseThrow().tokenId();
    assertThat(id).isEqualTo("env-worker-eac6719b");
    assertThat(new BearerTokens(List.of("worker-token-aaaaaaaaaaaa"), List.of()).callerOf("worker-token-aaaaaaaaaaaa")
        .orElseThrow().tokenId()).isEqualTo(id);
    assertThat(id).doesNotContain("worker-token");
    assertThat(tokens.callerOf("admin-token-bbbbbbbbbbbbb").orElseThrow().tokenId()).matches("env-admin-[0-9a-f]{8}");
  }

  @Test
  void aTokenInBothLists_isAnAdmin() {
    assertThat(tokens.callerOf("both-token-cccccccccccc").orElseThrow().tokenId()).startsWith("env-admin-");
  }

  @Test
  void unknownPrefixOrLongerTokens_haveNoCaller() {
    assertThat(tokens.callerOf("")).isEmpty();
    assertThat(tokens.callerOf("worker-token-aaaaaaaaaaa")).isEmpty();
    assertThat(tokens.callerOf("worker-token-aaaaaaaaaaaaa")).isEmpty();
    assertThat(tokens.callerOf("WORKER-TOKEN-AAAAAAAAAAAA")).isEmpty();
  }
}
