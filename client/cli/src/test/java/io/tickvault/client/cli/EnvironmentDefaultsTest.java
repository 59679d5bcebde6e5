package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentDefaultsTest {
  @Test
  void theLaunchersVariables_areKnown_andTheirNearMissesWarned() {
    assertThat(EnvironmentDefaults.misspellings(Map.of(
        "TICKVAULT_CDS", "off", "TICKVAULT_JAVA_OPTS", "-Xmx1g", "TICKVAULT_JAR", "/opt/tickvault.jar",
        "TICKVAULT_TARGET", "127.0.0.1:50051", "TICKVAULT_GRPC_PORT", "50051"))).isEmpty();

    assertThat(EnvironmentDefaults.misspellings(Map.of("TICKVAULT_JAVA_OPT", "-Xmx1g", "TICKVAULT_TARGT", "x")))
        .containsExactly(
            "warning: TICKVAULT_JAVA_OPT is not read by tickvault; did you mean TICKVAULT_JAVA_OPTS?",
            "warning: TICKVAULT_TARGT is not read by tickvault; did you mean TICKVAULT_TARGET?");
  }
}
