package io.tickvault.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tickvault.server.testing.TestDependencies.Source;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestDependenciesTest {
  private static final Source NOT_HERE = new Source("no variable", Optional::empty);
  private static final Source CANNOT_PULL = new Source("Testcontainers", () -> {
    throw new IllegalStateException("pull access denied for postgres:16-alpine");
  });

  @Test
  void aDockerThatCannotPullTheImage_fallsBackToTheNextWay() {
    assertThat(TestDependencies.firstAvailable("PostgreSQL",
        List.of(NOT_HERE, CANNOT_PULL, new Source("an embedded server", () -> Optional.of("jdbc:embedded")))))
        .isEqualTo("jdbc:embedded");
  }

  @Test
  void theFirstWayThatGivesAUrl_wins() {
    assertThat(TestDependencies.firstAvailable("Redis", List.of(
        new Source("variable", () -> Optional.of("redis://set")),
        new Source("never asked", () -> {
          throw new AssertionError("asked after a URL was found");
        }))))
        .isEqualTo("redis://set");
  }

  @Test
  void whenEveryWayFails_theTestsSeeEveryReason() {
    Throwable error = catchThrowable(() -> TestDependencies.firstAvailable("PostgreSQL", List.of(NOT_HERE, CANNOT_PULL)));

    assertThat(error).isInstanceOf(IllegalStateException.class).hasMessage("no PostgreSQL for the tests");
    assertThat(error.getSuppressed()).extracting(Throwable::getMessage)
        .containsExactly("pull access denied for postgres:16-alpine");
  }
}
