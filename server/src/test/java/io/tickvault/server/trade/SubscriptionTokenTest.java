package io.tickvault.server.trade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.read.TokenEnvelope;
import io.tickvault.server.subscribe.Subscribable.Cursor;
import io.tickvault.server.subscribe.SubscriptionToken;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SubscriptionTokenTest {
  private static final int[] EXCHANGES = {1, 1, 2};
  private static final int[] PAIRS = {1, 2, 1};
  private static final long START = 1_764_000_000_000L;

  private static SubscriptionToken token(long[] seqs, int current, long cursorTime, String cursorId) {
    return new SubscriptionToken((byte) 1, START, EXCHANGES, PAIRS, seqs, new int[seqs.length], current,
        new Cursor(cursorTime, 0, cursorId));
  }

  private static SubscriptionToken decode(FieldViolations violations, String encoded, long start, int[] exchanges,
                                          int[] pairs) {
    return SubscriptionToken.decode(violations, encoded, SubscribedTrades.INSTANCE, start, exchanges, pairs);
  }

  private static FieldViolations decode(String encoded) {
    FieldViolations violations = new FieldViolations();
    SubscriptionToken decoded = decode(violations, encoded, START, EXCHANGES, PAIRS);
    assertThat(decoded == null).isEqualTo(!violations.isEmpty());
    return violations;
  }

  @Test
  void aTokenComesBackAsItWasSent() {
    SubscriptionToken sent = token(new long[] {7, 0, 12}, 1, START + 5, "é-42");
    FieldViolations violations = new FieldViolations();
    SubscriptionToken back = decode(violations, sent.encode(), START, EXCHANGES, PAIRS);
    assertThat(violations.isEmpty()).isTrue();
    assertThat(back.seqs()).containsExactly(7, 0, 12);
    assertThat(back.current()).isEqualTo(1);
    assertThat(back.cursor()).isEqualTo(new Cursor(START + 5, 0, "é-42"));
  }

  @Test
  void aTokenOfTheFirstVersion_fromBeforeOrderBooksHadSubscriptions_stillResumes() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(START);
      out.writeShort(3);
      for (int i = 0; i < 3; i++) {
        out.writeInt(EXCHANGES[i]);
        out.writeInt(PAIRS[i]);
        out.writeLong(10 + i);
      }
      out.writeShort(1);
      out.writeLong(START + 5);
      out.writeShort(3);
      out.write("t-9".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    FieldViolations violations = new FieldViolations();
    SubscriptionToken back = decode(violations, TokenEnvelope.seal((byte) 1, bytes.toByteArray()), START, EXCHANGES, PAIRS);
    assertThat(violations.isEmpty()).isTrue();
    assertThat(back.seqs()).containsExactly(10, 11, 12);
    assertThat(back.skips()).containsExactly(0, 0, 0);
    assertThat(back.cursor()).isEqualTo(new Cursor(START + 5, 0, "t-9"));
  }

  @Test
  void anOrderBookSubscriptionsToken_isRefusedByATradeSubscription() {
    String books = new SubscriptionToken((byte) 2, START, EXCHANGES, PAIRS, new long[] {1, 2, 3}, new int[3], 3,
        new Cursor(START, -1, "")).encode();
    FieldViolations violations = decode(books);
    assertThatThrownBy(violations::throwIfAny).hasMessageContaining("resume_token: was issued by another kind of subscription");
  }

  @Test
  void anEmptyTokenIsNoToken() {
    FieldViolations violations = new FieldViolations();
    assertThat(decode(violations, "", START, EXCHANGES, PAIRS)).isNull();
    assertThat(violations.isEmpty()).isTrue();
  }

  @Test
  void aTokenOfAnotherSubscription_isRefused() {
    String encoded = token(new long[] {1, 2, 3}, 3, START, "").encode();
    FieldViolations violations = new FieldViolations();
    assertThat(decode(violations, encoded, START + 1, EXCHANGES, PAIRS)).isNull();
    assertThat(decode(violations, encoded, START, new int[] {1, 2, 1}, new int[] {2, 1, 1})).isNull();
    assertThat(decode(violations, encoded, START, new int[] {1, 1}, new int[] {1, 2})).isNull();
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
    SubscriptionToken skipsAhead = new SubscriptionToken((byte) 1, START, EXCHANGES, PAIRS, new long[] {1, 2, 3},
        new int[] {0, 0, 4}, 1, new Cursor(START, 0, ""));
    assertThat(decode(skipsAhead.encode()).isEmpty()).as("a market part-read before its turn").isFalse();
  }
}
