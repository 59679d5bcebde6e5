package io.tickvault.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UnknownVariablesTest {
  @Test
  void launcherVariables_passUnremarked() {
    assertThat(UnknownVariables.warnings(Map.of(
        "TICKVAULT_CDS", "off",
        "TICKVAULT_JAVA_OPTS", "-Xmx512m",
        "TICKVAULT_JAR", "/opt/tickvault/tickvault.jar"))).isEmpty();
  }

  @Test
  void cliVariables_passUnremarked() {
    assertThat(UnknownVariables.warnings(Map.of(
        "TICKVAULT_TARGET", "127.0.0.1:50051",
        "TICKVAULT_TOKEN", "worker-token-0123456789",
        "TICKVAULT_PROFILE", "staging"))).isEmpty();
  }

  @Test
  void serverVariables_passUnremarked() {
    assertThat(UnknownVariables.warnings(Map.of("TICKVAULT_GRPC_PORT", "50052", "TICKVAULT_API_KEY_TTL", "60")))
        .isEmpty();
  }

  @Test
  void aRefusedValue_stillLeavesTheVariablesReadAfterItKnown() {
    Map<String, String> env = Map.of("TICKVAULT_GRPC_PORT", "70000", "TICKVAULT_AUTH", "maybe",
        "TICKVAULT_MAX_STREAM_RESETS_PER_10S", "50");

    assertThat(UnknownVariables.warnings(env)).isEmpty();
    assertThatThrownBy(() -> ServerConfig.fromEnvironment(env))
        .hasMessage("TICKVAULT_GRPC_PORT=70000: out of range (expected 0 to 65535)");
  }

  @Test
  void aRefusedValue_leavesTheVariablesOfItsOwnPartKnown() {
    assertThat(UnknownVariables.warnings(Map.of("TICKVAULT_DATABASE_URL", "postgres://db/x",
        "TICKVAULT_DATABASE_USER", "tv", "TICKVAULT_DATABASE_PASSWORD", "secret", "TICKVAULT_REDIS_URL", "http://cache",
        "TICKVAULT_REDIS_TIMEOUT_MS", "300", "TICKVAULT_MASTER_KEY", "not base64!", "TICKVAULT_OLD_MASTER_KEYS", "x"))).isEmpty();
  }

  @Test
  void misspelledVariable_isWarnedWithTheClosestName() {
    assertThat(UnknownVariables.warnings(Map.of("TICKVAULT_WORKERS_TOKENS", "worker-token-0123456789")))
        .containsExactly("warning: TICKVAULT_WORKERS_TOKENS is not a tickvault variable and is ignored;"
            + " did you mean TICKVAULT_WORKER_TOKENS?");
  }

  @Test
  void unknownVariableFarFromEveryName_isWarnedWithoutASuggestion() {
    assertThat(UnknownVariables.warnings(Map.of("TICKVAULT_SOMETHING_ELSE_ENTIRELY", "1")))
        .containsExactly("warning: TICKVAULT_SOMETHING_ELSE_ENTIRELY is not a tickvault variable and is ignored");
  }
}
