package io.tickvault.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpellingTest {
  private static final List<String> KNOWN = List.of("TICKVAULT_TARGET", "TICKVAULT_TOKEN", "TICKVAULT_WORKER_TOKENS");

  @Test
  void aDroppedDoubledOrSwappedLetter_findsTheName() {
    assertThat(Spelling.closest("TICKVAULT_TARGT", KNOWN)).contains("TICKVAULT_TARGET");
    assertThat(Spelling.closest("TICKVAULT_TOKKEN", KNOWN)).contains("TICKVAULT_TOKEN");
    assertThat(Spelling.closest("TICKVAULT_TOKNE", KNOWN)).contains("TICKVAULT_TOKEN");
    assertThat(Spelling.closest("TICKVAULT_WORKERS_TOKENS", KNOWN)).contains("TICKVAULT_WORKER_TOKENS");
  }

  @Test
  void threeEditsAway_suggestsNothing() {
    assertThat(Spelling.closest("TICKVAULT_TARXYZ", KNOWN)).isEmpty();
    assertThat(Spelling.closest("TICKVAULT_GRPC_PORT", KNOWN)).isEmpty();
    assertThat(Spelling.distance("kitten", "sitting")).isEqualTo(3);
  }
}
