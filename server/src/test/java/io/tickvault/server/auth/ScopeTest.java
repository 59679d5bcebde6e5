package io.tickvault.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeTest {
  private final Scope scope = new Scope(Set.of("alice"), List.of("acme-"), Set.of(2, 5));

  @Test
  void aUserIsInScopeByExactIdOrExplicitPrefixOnly() {
    assertThat(scope.allowsUser("alice")).isTrue();
    assertThat(scope.allowsUser("acme-7")).isTrue();
    assertThat(scope.allowsUser("acme-")).isTrue();
    // Names that only look alike: no case folding, no globbing, no splitting, no trimming.
    assertThat(scope.allowsUser("alice2")).isFalse();
    assertThat(scope.allowsUser("Alice")).isFalse();
    assertThat(scope.allowsUser("acme")).isFalse();
    assertThat(scope.allowsUser("acme_7")).isFalse();
    assertThat(scope.allowsUser("xacme-7")).isFalse();
    assertThat(scope.allowsUser(" acme-7")).isFalse();
    assertThat(new Scope(Set.of(), List.of("a*"), Set.of()).allowsUser("ab")).isFalse();
  }

  @Test
  void exchangesAreInScopeByTheirId() {
    assertThat(scope.allowsExchange(2)).isTrue();
    assertThat(scope.allowsExchange(3)).isFalse();
    assertThat(scope.allowsExchange(0)).isFalse();
  }

  @Test
  void anEmptyAxisIsOpen_butAnEmptyPrefixIsRefused() {
    assertThat(new Scope(Set.of(), List.of(), Set.of(2)).allowsUser("anyone")).isTrue();
    assertThat(new Scope(Set.of("alice"), List.of(), Set.of()).allowsExchange(99)).isTrue();
    assertThat(Scope.UNRESTRICTED.isUnrestricted()).isTrue();
    assertThat(scope.isUnrestricted()).isFalse();
    assertThatThrownBy(() -> new Scope(Set.of(), List.of(""), Set.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
