package io.tickvault.server.apikeys;

import static io.tickvault.server.apikeys.ApiKeyServiceIT.put;
import static io.tickvault.server.apikeys.ApiKeyServiceIT.randomKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.testing.Eventually;
import io.tickvault.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Entries expire by their TTL: a change made behind the cache's back shows once the entry is gone. */
class ApiKeyCacheTtlIT {
  static final Duration TTL = Duration.ofMillis(700);

  @RegisterExtension
  static TestServer server = TestServer.inProcess().configure(b -> b.masterKey(randomKey()).apiKeyTtl(TTL));

  @Test
  void entryExpiresAfterItsTtl_andTheNextCallReadsPostgres() {
    String user = "user-" + UUID.randomUUID();
    MarketServiceGrpc.newBlockingStub(server.channel())
        .putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
    ApiKeyAdminServiceGrpc.newBlockingStub(server.channel()).putApiKey(put(user, 1, "AK", "s", "before"));
    assertThat(labels(user)).containsExactly("before");
    long filledAt = System.nanoTime();

    server.database().jdbc().execute("UPDATE exchange_api_keys SET label = 'after' WHERE user_id = ?", user);
    assertThat(labels(user)).containsExactly("before"); // cached

    Eventually.await("the cached entry expired", Duration.ofSeconds(5), () -> !labels(user).equals(List.of("before")));
    long expiredAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - filledAt);
    assertThat(expiredAfterMs).as("not before the TTL").isGreaterThanOrEqualTo(TTL.toMillis() - 300);
    assertThat(labels(user)).containsExactly("after");
  }

  private static List<String> labels(String user) {
    return ApiKeyServiceGrpc.newBlockingStub(server.channel())
        .getApiKeys(GetApiKeysRequest.newBuilder().setUserId(user).build())
        .getApiKeysList().stream().map(ApiKey::getLabel).toList();
  }
}
