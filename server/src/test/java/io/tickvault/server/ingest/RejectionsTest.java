package io.tickvault.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import org.junit.jupiter.api.Test;

class RejectionsTest {
  @Test
  void aLongKey_isCutAndFollowedByItsLength() {
    RejectedRecord r = Rejections.of(7, "1/1/" + "x".repeat(1_048_572), RejectionReason.REJECTION_REASON_TOO_LONG, "trade_id", "has 1048572 characters");

    assertThat(r.getRecordKey()).isEqualTo("1/1/" + "x".repeat(124) + "…(1048576 characters)");
    assertThat(r.getIndex()).isEqualTo(7);
    assertThat(r.getReason()).isEqualTo("has 1048572 characters");
  }

  @Test
  void aShortKey_andAKeyOfExactlyTheLimit_stayAsTheyAre() {
    assertThat(Rejections.truncate("1/1/t-1", 128)).isEqualTo("1/1/t-1");
    assertThat(Rejections.truncate("k".repeat(128), 128)).isEqualTo("k".repeat(128));
  }

  @Test
  void lengthsCountCodePoints_andACutNeverSplitsOne() {
    String emoji = "\uD83D\uDE00"; // one code point, two chars
    assertThat(Rejections.truncate(emoji.repeat(128), 128)).isEqualTo(emoji.repeat(128));
    assertThat(Rejections.truncate(emoji.repeat(129), 128)).isEqualTo(emoji.repeat(128) + "…(129 characters)");
  }

  @Test
  void aReasonQuotingAHugeValue_isCutToo() {
    RejectedRecord r = Rejections.of(0, "1/1/t", RejectionReason.REJECTION_REASON_TOO_LONG, "price", "must be a plain decimal, got '" + "9".repeat(4_000_000) + "'");

    assertThat(r.getReason()).hasSizeLessThan(300).endsWith("…(4000031 characters)");
  }

  @Test
  void aCappedList_stopsAtItsCountOrAtOneMebibyte_andSaysSo() {
    Rejections.Capped byCount = new Rejections.Capped(2);
    for (int i = 0; i < 3; i++) {
      byCount.add(Rejections.of(i, "k", RejectionReason.REJECTION_REASON_TOO_LONG, "f", "r"));
    }
    assertThat(byCount.list()).hasSize(2);
    assertThat(byCount.truncated()).isTrue();

    Rejections.Capped byBytes = new Rejections.Capped(100_000);
    for (int i = 0; i < 10_000; i++) {
      byBytes.add(Rejections.of(i, "k".repeat(200), RejectionReason.REJECTION_REASON_TOO_LONG, "trade_id", "r".repeat(300)));
    }
    int bytes = byBytes.list().stream().mapToInt(RejectedRecord::getSerializedSize).sum();
    assertThat(bytes).isLessThanOrEqualTo(Rejections.MAX_LIST_BYTES);
    assertThat(byBytes.list().size()).isBetween(2_000, 4_000);
    assertThat(byBytes.truncated()).isTrue();

    Rejections.Capped fits = new Rejections.Capped(10);
    fits.add(Rejections.of(0, "k", RejectionReason.REJECTION_REASON_TOO_LONG, "f", "r"));
    assertThat(fits.truncated()).isFalse();
  }
}
