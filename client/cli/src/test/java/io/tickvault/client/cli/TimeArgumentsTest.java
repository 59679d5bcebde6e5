package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class TimeArgumentsTest {
  private final TimeArguments.EpochMillis time = new TimeArguments.EpochMillis();
  private final TimeArguments.Millis length = new TimeArguments.Millis();

  @Test
  void time_epochMillisOrIso8601_utcWhenNoZoneIsGiven() {
    assertThat(time.convert("1764115200000")).isEqualTo(1_764_115_200_000L);
    assertThat(time.convert("2025-11-26T00:00:00Z")).isEqualTo(1_764_115_200_000L);
    assertThat(time.convert("2025-11-26T00:00:00.250Z")).isEqualTo(1_764_115_200_250L);
    assertThat(time.convert("2025-11-26T00:01Z")).isEqualTo(1_764_115_260_000L);
    assertThat(time.convert("2025-11-26t00:01z")).isEqualTo(1_764_115_260_000L);
    assertThat(time.convert("2025-11-26T09:00+09:00")).isEqualTo(1_764_115_200_000L);
    assertThat(time.convert("2025-11-26T00:00")).isEqualTo(1_764_115_200_000L);
    assertThat(time.convert("2025-11-26")).isEqualTo(1_764_115_200_000L);
  }

  @Test
  void time_anythingElse_isRefusedWithTheFormsItTakes() {
    assertThatThrownBy(() -> time.convert("yesterday")).isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("epoch milliseconds or an ISO-8601 time").hasMessageContaining("'yesterday'");
    assertThatThrownBy(() -> time.convert("2025-13-01")).isInstanceOf(TypeConversionException.class);
  }

  @Test
  void length_unitsOrMilliseconds() {
    assertThat(length.convert("1500")).isEqualTo(1_500L);
    assertThat(length.convert("500ms")).isEqualTo(500L);
    assertThat(length.convert("30s")).isEqualTo(30_000L);
    assertThat(length.convert("1m")).isEqualTo(60_000L);
    assertThat(length.convert("4H")).isEqualTo(14_400_000L);
    assertThat(length.convert("1d")).isEqualTo(86_400_000L);
    assertThat(length.convert("1w")).isEqualTo(604_800_000L);
  }

  @Test
  void length_withoutANumberOrWithAnotherUnit_isRefused() {
    assertThatThrownBy(() -> length.convert("1y")).isInstanceOf(TypeConversionException.class).hasMessageContaining("'1y'");
    assertThatThrownBy(() -> length.convert("-1m")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> length.convert("99999999999999999w")).isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("too long");
  }
}
