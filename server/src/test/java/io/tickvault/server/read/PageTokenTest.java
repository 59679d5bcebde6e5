package io.tickvault.server.read;

import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tickvault.server.grpc.FieldViolations;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class PageTokenTest {
  static final PageToken TRADES = new PageToken(PageToken.Kind.TRADES, 3, 7, 1_000, 0, 1_764_000_000_000L, "é/ß-42", 0);

  @Test
  void encode_thenDecodeWithTheSameRequest_givesTheSameToken() {
    String token = TRADES.encode();
    assertThat(token).matches("[A-Za-z0-9_-]+");
    assertThat(PageToken.decode(new FieldViolations(), token, PageToken.Kind.TRADES, 3, 7, 1_000, 0)).isEqualTo(TRADES);
  }

  @Test
  void decode_withAnotherMarketRangeOrKind_isInvalidArgument() {
    String token = TRADES.encode();
    assertPageTokenError(token, PageToken.Kind.TRADES, 3, 8, 1_000, 0);
    assertPageTokenError(token, PageToken.Kind.TRADES, 4, 7, 1_000, 0);
    assertPageTokenError(token, PageToken.Kind.TRADES, 3, 7, 999, 0);
    assertPageTokenError(token, PageToken.Kind.TRADES, 3, 7, 1_000, 5_000);
    assertPageTokenError(token, PageToken.Kind.ORDER_BOOKS, 3, 7, 1_000, 0);
  }

  @Test
  void decode_withAnotherRead_saysInTheRequestsFieldsWhatDiffers() {
    String token = TRADES.encode(); // market 3/7, start_time_ms 1000, no end_time_ms
    String advice = ": send it with the request that received it (only page_token changes), or leave it empty to start over";
    assertThat(pageTokenError(token, 3, 8, 1_000, 0))
        .isEqualTo("page_token: was issued for a read with market 3/7 (this request has 3/8)" + advice);
    assertThat(pageTokenError(token, 3, 7, 999, 5_000)).isEqualTo("page_token: was issued for a read with"
        + " start_time_ms 1000 (this request has 999) and no end_time_ms (this request has 5000)" + advice);
    String bounded = new PageToken(PageToken.Kind.TRADES, 3, 7, 0, 5_000, 10, "t", 0).encode();
    assertThat(pageTokenError(bounded, 3, 7, 0, 0))
        .isEqualTo("page_token: was issued for a read with end_time_ms 5000 (this request has none)" + advice);
  }

  @Test
  void decode_ofAnyChangedOrCutToken_isInvalidArgument() {
    String token = TRADES.encode();
    List<String> broken = new ArrayList<>();
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      broken.add(token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1));
      if (i > 0) { // cut to nothing is the empty token: no token, a read from the start
        broken.add(token.substring(0, i));
      }
    }
    broken.add(token + "A");
    broken.add("%%%");
    for (String bad : broken) {
      assertPageTokenError(bad, PageToken.Kind.TRADES, 3, 7, 1_000, 0);
    }
  }

  @Test
  void decode_ofAForgedTokenWithAValidCrc_isInvalidArgumentBeforeAnyQuery() {
    String nul = new PageToken(PageToken.Kind.TRADES, 3, 7, 1_000, 0, 2_000, "a\0b", 0).encode();
    assertThat(pageTokenError(nul, 3, 7, 1_000, 0)).isEqualTo("page_token: is not a token this server issued"
        + " (a trade id with a NUL character): pass a next_page_token exactly as received, or leave it empty to start over");
    List<String> forged = List.of(
        forge(PageToken.Kind.TRADES, 2_000, new byte[] {'a', (byte) 0xC3}, 0),      // cut UTF-8
        forge(PageToken.Kind.TRADES, 2_000, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0), // a surrogate
        forge(PageToken.Kind.TRADES, 2_000, new byte[PageToken.MAX_TRADE_ID_BYTES + 1], 0),
        forge(PageToken.Kind.TRADES, 2_000, new byte[0], 0),                        // no trade id
        forge(PageToken.Kind.TRADES, 2_000, new byte[] {'t'}, 5),                   // a sequence id
        forge(PageToken.Kind.TRADES, 999, new byte[] {'t'}, 0),                     // before start_time_ms
        forge(PageToken.Kind.TRADES, Long.MIN_VALUE, new byte[] {'t'}, 0));
    for (String token : forged) {
      assertPageTokenError(token, PageToken.Kind.TRADES, 3, 7, 1_000, 0);
    }
    assertThat(pageTokenError(new PageToken(PageToken.Kind.TRADES, 3, 7, 1_000, 5_000, 5_000, "t", 0).encode(),
        3, 7, 1_000, 5_000)).contains("(its last time 5000 is outside the read's range)");
    String bookWithTradeId = new PageToken(PageToken.Kind.ORDER_BOOKS, 3, 7, 1_000, 0, 2_000, "t", 1).encode();
    assertPageTokenError(bookWithTradeId, PageToken.Kind.ORDER_BOOKS, 3, 7, 1_000, 0);
  }

  @Test
  void decode_ofTheLongestStoredTradeId_isTheToken() {
    String longest = "\uD83D\uDE00".repeat(64); // 64 characters of 4 UTF-8 bytes
    PageToken token = new PageToken(PageToken.Kind.TRADES, 3, 7, 1_000, 0, 1_000, longest, 0);
    assertThat(PageToken.decode(new FieldViolations(), token.encode(), PageToken.Kind.TRADES, 3, 7, 1_000, 0))
        .isEqualTo(token);
  }

  /** A token of market 3/7 from 1000 on, with any bytes as its trade id, as a forger would write it: CRC and all. */
  private static String forge(PageToken.Kind kind, long lastTime, byte[] tradeId, long lastSequenceId) {
    ByteBuffer bytes = ByteBuffer.allocate(48 + tradeId.length);
    bytes.put((byte) 1).put((byte) kind.ordinal()).putInt(3).putInt(7).putLong(1_000).putLong(0).putLong(lastTime)
        .putShort((short) tradeId.length).put(tradeId).putLong(lastSequenceId);
    CRC32 crc = new CRC32();
    crc.update(bytes.array(), 0, bytes.position());
    bytes.putInt((int) crc.getValue());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(bytes.array(), bytes.position()));
  }

  @Test
  void compareUtf8_isTheByteOrderOfUtf8() {
    assertThat(PageToken.compareUtf8("a", "b")).isNegative();
    assertThat(PageToken.compareUtf8("B", "a")).isNegative();
    assertThat(PageToken.compareUtf8("a", "a-1")).isNegative();
    assertThat(PageToken.compareUtf8("z", "é")).isNegative();
    // U+FF5E (3 UTF-8 bytes, one UTF-16 unit) sorts before U+1F600 (4 bytes, a surrogate pair),
    // although String.compareTo says the opposite.
    assertThat(PageToken.compareUtf8("\uFF5E", "\uD83D\uDE00")).isNegative();
    assertThat("\uFF5E".compareTo("\uD83D\uDE00")).isPositive();
    assertThat(PageToken.compareUtf8("x", "x")).isZero();
  }

  @Test
  void decode_ofAnEmptyToken_isNoTokenAndNoViolation() {
    FieldViolations violations = new FieldViolations();
    assertThat(PageToken.decode(violations, "", PageToken.Kind.TRADES, 3, 7, 1_000, 0)).isNull();
    assertThat(violations.isEmpty()).isTrue();
  }

  private static String pageTokenError(String token, int exchangeId, int pairNo, long start, long end) {
    FieldViolations violations = new FieldViolations();
    assertThat(PageToken.decode(violations, token, PageToken.Kind.TRADES, exchangeId, pairNo, start, end)).isNull();
    return rpcError(violations::throwIfAny).getStatus().getDescription();
  }

  private static void assertPageTokenError(String token, PageToken.Kind kind, int exchangeId, int pairNo,
                                           long start, long end) {
    FieldViolations violations = new FieldViolations();
    assertThat(PageToken.decode(violations, token, kind, exchangeId, pairNo, start, end)).isNull();
    var e = rpcError(violations::throwIfAny);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("page_token: ").doesNotContain(";");
  }
}
