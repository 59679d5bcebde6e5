package io.tickvault.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

class RedisKeysTest {
  @Test
  void standalone_keepsThePlainNames() {
    assertThat(RedisKeys.STANDALONE.key("api_keys:", "alice")).isEqualTo("api_keys:alice");
  }

  @Test
  void cluster_makesTheIdAHashTag() {
    assertThat(RedisKeys.CLUSTER.key("api_keys:", "alice")).isEqualTo("api_keys:{alice}");
    assertThat(SlotHash.getSlot(RedisKeys.CLUSTER.key("api_keys:", "alice")))
        .isEqualTo(SlotHash.getSlot(RedisKeys.CLUSTER.key("api_keys_version:", "alice")))
        .isEqualTo(SlotHash.getSlot("alice"));
  }

  @Test
  void cluster_idsWithBracesStillKeepTheirKeysInOneSlot() {
    for (String id : new String[] {"}alice", "al}ice", "{alice}", "%7D", "}", "a{b}c"}) {
      String value = RedisKeys.CLUSTER.key("api_keys:", id);
      String version = RedisKeys.CLUSTER.key("api_keys_version:", id);
      assertThat(SlotHash.getSlot(value)).as(id).isEqualTo(SlotHash.getSlot(version));
    }
  }

  @Test
  void cluster_escapingKeepsDifferentIdsApart() {
    assertThat(RedisKeys.CLUSTER.key("p:", "%7D")).isNotEqualTo(RedisKeys.CLUSTER.key("p:", "}"));
    assertThat(RedisKeys.CLUSTER.key("p:", "}")).isEqualTo("p:{%7D}");
  }
}
