package io.tickvault.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlainDecimalTest {
  @ParameterizedTest
  @ValueSource(strings = {"1", "0.1", "64250.5", "0.00001234", "64250000", "1.50",
      "12345678901234567890.123456789012345678", "0.000000000000000001", "99999999999999999999999999999999999999"})
  void plainPositiveDecimals_pass(String value) {
    assertThat(PlainDecimal.check(value)).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|is required",
      "-1|must be a plain decimal (digits with at most one '.', no sign or exponent), got '-1'",
      "+1|must be a plain decimal (digits with at most one '.', no sign or exponent), got '+1'",
      "1e5|must be a plain decimal (digits with at most one '.', no sign or exponent), got '1e5'",
      "1.2.3|must be a plain decimal (digits with at most one '.', no sign or exponent), got '1.2.3'",
      "' 1'|must be a plain decimal (digits with at most one '.', no sign or exponent), got ' 1'",
      "NaN|must be a plain decimal (digits with at most one '.', no sign or exponent), got 'NaN'",
      ".5|must have digits on both sides of the '.', got '.5'",
      "5.|must have digits on both sides of the '.', got '5.'",
      "007|must not have leading zeros, got '007'",
      "0|must be positive, got '0'",
      "0.000|must be positive, got '0.000'",
      "0.0000000000000000001|has 19 digits after the point, at most 18 are allowed",
      "123456789012345678901234567890123456789|has 39 significant digits, at most 38 are allowed",
      "123456789012345678901.123456789012345678|has 39 significant digits, at most 38 are allowed"})
  void anythingElse_isRefusedWithTheReason(String value, String reason) {
    assertThat(PlainDecimal.check(value)).isEqualTo(reason);
  }
}
