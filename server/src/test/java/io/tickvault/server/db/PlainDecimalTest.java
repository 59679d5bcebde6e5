package io.tickvault.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

public class PlainDecimalTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "1", "0.1", "64250.5", "0.00001234", "64250000", "1.50", "0.000000000000000001",
      "12345678901234567890123456789012345678", "12345678901234567890.123456789012345678",
      "0.123456789012345678"})
  void acceptsPositivePlainDecimals(String text) {
    assertThat(PlainDecimal.whyNotPositive(text)).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|is required",
      "0|must be positive, got '0'",
      "0.000|must be positive, got '0.000'",
      "-1|must be a plain decimal (digits and at most one '.', no sign or exponent), got '-1'",
      "+1|must be a plain decimal (digits and at most one '.', no sign or exponent), got '+1'",
      "1e3|must be a plain decimal (digits and at most one '.', no sign or exponent), got '1e3'",
      "' 1'|must be a plain decimal (digits and at most one '.', no sign or exponent), got ' 1'",
      "1,5|must be a plain decimal (digits and at most one '.', no sign or exponent), got '1,5'",
      "NaN|must be a plain decimal (digits and at most one '.', no sign or exponent), got 'NaN'",
      "1.2.3|must be a plain decimal with at most one '.', got '1.2.3'",
      ".5|must have a digit on each side of the '.', got '.5'",
      "5.|must have a digit on each side of the '.', got '5.'",
      "007|must not have leading zeros, got '007'",
      "00.5|must not have leading zeros, got '00.5'",
      "0.1234567890123456789|must have at most 18 digits after the point, got 19",
      "123456789012345678901234567890123456789|must have at most 38 significant digits, got 39",
      "123456789012345678901.123456789012345678|must have at most 38 significant digits, got 39",
      "12345678901234567890123456789012345678901|is too long: 41 characters (at most 38 significant digits, 18 after the point)"})
  void rejectsEverythingElse_withTheReason(String text, String reason) {
    assertThat(PlainDecimal.whyNotPositive(text)).isEqualTo(reason);
  }

  @ParameterizedTest
  @CsvSource({"1.5,1.50,0", "2,10,-1", "10,9.99,1", "0.1,0.09,1", "100.001,100.0001,1", "7,7.000,0", "0.5,1,-1"})
  void compare_ordersByValue(String a, String b, int sign) {
    assertThat(Integer.signum(PlainDecimal.compare(a, b))).isEqualTo(sign);
    assertThat(Integer.signum(PlainDecimal.compare(b, a))).isEqualTo(-sign);
  }

  @Test
  void compare_agreesWithBigDecimalOnRandomValues() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      String a = randomDecimal(random);
      String b = random.nextInt(10) == 0 ? a + "0".repeat(random.nextInt(3)) : randomDecimal(random);
      if (PlainDecimal.whyNotPositive(b) != null) {
        continue; // padding pushed it past 18 fraction digits
      }
      assertThat(PlainDecimal.whyNotPositive(a)).as(a).isNull();
      assertThat(Integer.signum(PlainDecimal.compare(a, b)))
          .as("%s vs %s", a, b)
          .isEqualTo(new BigDecimal(a).compareTo(new BigDecimal(b)));
    }
  }

  @Test
  void toBigDecimal_isWhatBigDecimalReads_valueAndScale_atEveryLength() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      String text = randomDecimal(random);
      assertThat(PlainDecimal.toBigDecimal(text)).as(text).isEqualTo(new BigDecimal(text)); // equals: value and scale
    }
    for (String text : new String[] {"1", "1.50", "0.000000000000000001", "999999999999999999", "99999999999999999.9",
        "9999999999999999999", "12345678901234567890123456789012345678"}) {
      assertThat(PlainDecimal.toBigDecimal(text)).as(text).isEqualTo(new BigDecimal(text));
    }
  }

  /** A valid positive plain decimal of 1 to 38 significant digits and up to 18 after the point. */
  public static String randomDecimal(Random random) {
    int scale = random.nextInt(PlainDecimal.MAX_FRACTION_DIGITS + 1);
    int digits = 1 + random.nextInt(PlainDecimal.MAX_SIGNIFICANT_DIGITS);
    StringBuilder unscaled = new StringBuilder();
    unscaled.append((char) ('1' + random.nextInt(9)));
    for (int i = 1; i < digits; i++) {
      unscaled.append((char) ('0' + random.nextInt(10)));
    }
    return new BigDecimal(new java.math.BigInteger(unscaled.toString()), scale).toPlainString();
  }
}
