package io.tickvault.server.trade;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.grpc.FieldViolations;
import org.junit.jupiter.api.Test;

class SubscriptionTokenTest {
  private static final int[] EXCHANGES = {1, 1, 2};
  private static final int[] PAIRS = {1, 2, 1};
  private static final long START = 1_764_000_000_000L;

  private static SubscriptionToken token(long[] seqs, int current, long cursorTime, String cursorId) {
    return new SubscriptionToken(START, EXCHANGES, PAIRS, seqs, current, cursorTime, cursorId);
  }

  private static FieldViolations decode(String encoded) {
    FieldViolations violations = new FieldViolations();
    SubscriptionToken decoded = SubscriptionToken.decode(violations, encoded, START, EXCHANGES, PAIRS);
    assertThat(decoded == null).isEqualTo(!violations.isEmpty());
    return violations;
  }

  @Test
  void aTokenComesBackAsItWasSent() {
    SubscriptionToken sent = token(new long[] {7, 0, 12}, 1, START + 5, "é-42");
    FieldViolations violations = new FieldViolations();
    SubscriptionToken back = SubscriptionToken.decode(violations, sent.encode(), START, EXCHANGES, PAIRS);
    assertThat(violations.isEmpty()).isTrue();
    assertThat(back.seqs()).containsExactly(7, 0, 12);
    assertThat(back.current()).isEqualTo(1);
    assertThat(back.cursorTime()).isEqualTo(START + 5);
    assertThat(back.cursorId()).isEqualTo("é-42");
    assertThat(back.live()).isFalse();
    assertThat(token(new long[] {1, 2, 3}, 3, START, "").live()).isTrue();
  }

  @Test
  void anEmptyTokenIsNoToken() {
    FieldViolations violations = new FieldViolations();
    assertThat(SubscriptionToken.decode(violations, "", START, EXCHANGES, PAIRS)).isNull();
    assertThat(violations.isEmpty()).isTrue();
  }

  @Test
  void aTokenOfAnotherSubscription_isRefused() {
    String encoded = token(new long[] {1, 2, 3}, 3, START, "").encode();
    FieldViolations violations = new FieldViolations();
    assertThat(SubscriptionToken.decode(violations, encoded, START + 1, EXCHANGES, PAIRS)).isNull();
    assertThat(SubscriptionToken.decode(violations, encoded, START, new int[] {1, 2, 1}, new int[] {2, 1, 1})).isNull();
    assertThat(SubscriptionToken.decode(violations, encoded, START, new int[] {1, 1}, new int[] {1, 2})).isNull();
    assertThat(violations.isEmpty()).isFalse();
  }

  @Test
  void aMangledOrCutToken_isRefused() {
    String encoded = token(new long[] {1, 2, 3}, 0, START + 9, "t-1").encode();
    char last = encoded.charAt(encoded.length() - 1);
    assertThat(decode(encoded.substring(0, encoded.length() - 1) + (last == 'A' ? 'B' : 'A')).isEmpty()).isFalse();
    assertThat(decode(encoded.substring(0, encoded.length() / 2)).isEmpty()).isFalse();
    assertThat(decode("not a token!").isEmpty()).isFalse();
  }

  @Test
  void aForgedToken_withFieldsNoSubscriptionCouldHaveSent_isRefused() {
    assertThat(decode(token(new long[] {1, -2, 3}, 3, START, "").encode()).isEmpty()).as("negative seq").isFalse();
    assertThat(decode(token(new long[] {1, 2, 3}, 4, START, "").encode()).isEmpty()).as("no such market").isFalse();
    assertThat(decode(token(new long[] {1, 2, 3}, 3, START + 1, "t").encode()).isEmpty()).as("cursor when live").isFalse();
    assertThat(decode(token(new long[] {1, 2, 3}, 1, START - 1, "t").encode()).isEmpty()).as("cursor before start").isFalse();
    assertThat(decode(token(new long[] {1, 2, 3}, 1, START + 1, "t\0").encode()).isEmpty()).as("NUL").isFalse();
    assertThat(decode(token(new long[] {1, 2, 3}, 1, START + 1, "").encode()).isEmpty()).as("empty id past start").isFalse();
    assertThat(decode(token(new long[] {1, 2, 3}, 1, START, "").encode()).isEmpty()).as("before the first").isTrue();
  }
}
