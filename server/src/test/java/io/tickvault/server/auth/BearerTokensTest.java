package io.tickvault.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BearerTokensTest {
  private final BearerTokens tokens = new BearerTokens(
      List.of("worker-token-aaaaaaaaaaaa", "both-token-cccccccccccc"),
      List.of("admin-token-bbbbbbbbbbbbb", "both-token-cccccccccccc"));

  @Test
  void knownTokens_haveTheirRole() {
    assertThat(tokens.roleOf("worker-token-aaaaaaaaaaaa")).contains(Role.WORKER);
    assertThat(tokens.roleOf("admin-token-bbbbbbbbbbbbb")).contains(Role.ADMIN);
  }

  @Test
  void aTokenInBothLists_isAnAdmin() {
    assertThat(tokens.roleOf("both-token-cccccccccccc")).contains(Role.ADMIN);
  }

  @Test
  void unknownPrefixOrLongerTokens_haveNoRole() {
    assertThat(tokens.roleOf("")).isEmpty();
    assertThat(tokens.roleOf("worker-token-aaaaaaaaaaa")).isEmpty();
    assertThat(tokens.roleOf("worker-token-aaaaaaaaaaaaa")).isEmpty();
    assertThat(tokens.roleOf("WORKER-TOKEN-AAAAAAAAAAAA")).isEmpty();
  }
}
