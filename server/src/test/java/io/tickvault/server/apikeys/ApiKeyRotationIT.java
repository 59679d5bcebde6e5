package io.tickvault.server.apikeys;

import static io.tickvault.server.apikeys.ApiKeyServiceIT.put;
import static io.tickvault.server.apikeys.ApiKeyServiceIT.randomKey;
import static io.tickvault.server.testing.GrpcAssertions.rpcError;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tickvault.api.v1.ApiKey;
import io.tickvault.api.v1.ApiKeyAdminServiceGrpc;
import io.tickvault.api.v1.ApiKeyServiceGrpc;
import io.tickvault.api.v1.GetApiKeysRequest;
import io.tickvault.api.v1.MarketServiceGrpc;
import io.tickvault.api.v1.PutExchangeRequest;
import io.tickvault.server.app.Application;
import io.tickvault.server.config.ServerConfig;
import io.tickvault.server.crypto.MasterKeys;
import io.tickvault.server.testing.TestServer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Master key rotation: a new key encrypts, the old one still decrypts, re-encryption retires it. */
class ApiKeyRotationIT {
  static final byte[] OLD_KEY = randomKey();
  static final byte[] NEW_KEY = randomKey();

  @RegisterExtension
  static TestServer server = TestServer.inProcess().configure(b -> b.masterKey(OLD_KEY));

  @Test
  void rotateThenReencrypt_keepsEverySecretReadableAndRetiresTheOldKey() {
    String user = "user-" + UUID.randomUUID();
    MarketServiceGrpc.newBlockingStub(server.channel())
        .putExchange(PutExchangeRequest.newBuilder().setExchangeId(1).setCode("binance").build());
    admin().putApiKey(put(user, 1, "AK-1", "secret-one", ""));
    admin().putApiKey(put(user, 1, "AK-2", "secret-two", ""));
    assertThat(secrets(user)).containsExactly("secret-one", "secret-two"); // cached under the old key now

    restartWith(b -> b.masterKey(NEW_KEY).oldMasterKeys(List.of(OLD_KEY)));
    assertThat(secrets(user)).containsExactly("secret-one", "secret-two");
    admin().putApiKey(put(user, 1, "AK-3", "secret-three", ""));
    assertThat(keyIds(user)).containsExactly(MasterKeys.keyId(OLD_KEY), MasterKeys.keyId(OLD_KEY), MasterKeys.keyId(NEW_KEY));

    ApiKeyReencryption.Result result = Application.reencryptApiKeys(ServerConfig.builder()
        .databaseUrl(server.database().url()).authDisabled(true)
        .masterKey(NEW_KEY).oldMasterKeys(List.of(OLD_KEY)).build());

    assertThat(result).isEqualTo(new ApiKeyReencryption.Result(2, 0, 0));
    assertThat(keyIds(user)).containsOnly(MasterKeys.keyId(NEW_KEY));

    // The old key is gone; Redis may still hold ciphertexts under it, which are reloaded from PostgreSQL.
    restartWith(b -> b.masterKey(NEW_KEY));
    assertThat(secrets(user)).containsExactly("secret-one", "secret-two", "secret-three");

    restartWith(b -> b.masterKey(randomKey()));
    assertThat(rpcError(() -> secrets(user)).getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
  }

  private static void restartWith(java.util.function.UnaryOperator<ServerConfig.Builder> keys) {
    server.stop();
    server.configure(keys);
    server.start();
  }

  private static ApiKeyAdminServiceGrpc.ApiKeyAdminServiceBlockingStub admin() {
    return ApiKeyAdminServiceGrpc.newBlockingStub(server.channel());
  }

  private static List<String> secrets(String user) {
    return ApiKeyServiceGrpc.newBlockingStub(server.channel())
        .getApiKeys(GetApiKeysRequest.newBuilder().setUserId(user).build())
        .getApiKeysList().stream().map(ApiKey::getSecretKey).toList();
  }

  private static List<String> keyIds(String user) {
    return server.database().jdbc().query(
        "SELECT master_key_id FROM exchange_api_keys WHERE user_id = ? ORDER BY access_key", r -> r.getString(1), user);
  }
}
