package io.tickvault.server.apikeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CachedApiKeysCodecTest {
  @Test
  void encodeThenDecode_givesTheSameKeysInTheSameOrder() {
    List<StoredApiKey> keys = List.of(
        new StoredApiKey("u", 1, "AK-1", new byte[] {1, 2, 3}, "abcd0123", "main ✓", 1_700_000_000_000L),
        new StoredApiKey("u", 2, "AK-2", new byte[0], "abcd0123", "", 5L));

    List<StoredApiKey> decoded = CachedApiKeysCodec.decode("u", CachedApiKeysCodec.encode(keys));

    assertThat(decoded).hasSize(2);
    assertThat(decoded).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(keys);
  }

  @Test
  void emptyList_roundTrips() {
    assertThat(CachedApiKeysCodec.decode("u", CachedApiKeysCodec.encode(List.of()))).isEmpty();
  }

  @Test
  void otherFormatOrTruncatedBytes_areRejected() {
    byte[] value = CachedApiKeysCodec.encode(List.of(new StoredApiKey("u", 1, "AK", new byte[] {9}, "k", "l", 1)));
    byte[] otherFormat = value.clone();
    otherFormat[0] = 99;

    assertThatThrownBy(() -> CachedApiKeysCodec.decode("u", otherFormat)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CachedApiKeysCodec.decode("u", Arrays.copyOf(value, value.length - 3)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CachedApiKeysCodec.decode("u", Arrays.copyOf(value, value.length + 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
