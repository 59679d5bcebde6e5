package io.tickvault.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {
  @Test
  void userInfoAndPasswordParameters_areReplaced_theRestKept() {
    assertThat(Redaction.urls("jdbc:postgresql://db:5432/tv?user=tv&password=hunter2&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/tv?user=tv&password=***&ssl=true");
    assertThat(Redaction.urls("jdbc:postgresql://db/tv?sslpassword=hunter2")).isEqualTo("jdbc:postgresql://db/tv?sslpassword=***");
    assertThat(Redaction.urls("redis://tv:hunter2@cache:6379/0")).isEqualTo("redis://***@cache:6379/0");
    assertThat(Redaction.urls("rediss://hunter2@cache")).isEqualTo("rediss://***@cache");
    assertThat(Redaction.urls("jdbc:postgresql://db/tv")).isEqualTo("jdbc:postgresql://db/tv");
  }

  @Test
  void urlsInsideAMessage_andSeveralInOneValue_areAllRedacted() {
    assertThat(Redaction.urls("Illegal character in authority at index 8: redis://tv:hunter2@cache host:6379"))
        .isEqualTo("Illegal character in authority at index 8: redis://***@cache host:6379");
    assertThat(Redaction.urls("redis://a:hunter2@n1:7000,redis://a:hunter2@n2:7000"))
        .isEqualTo("redis://***@n1:7000,redis://***@n2:7000");
  }

  @Test
  void aPasswordWithUnescapedSlashOrAt_isHiddenWhole() {
    assertThat(Redaction.urls("redis://tv:hun/ter2@cache")).isEqualTo("redis://***@cache");
    assertThat(Redaction.urls("redis://tv:hun@ter@2@cache:6379")).isEqualTo("redis://***@cache:6379");
  }
}
