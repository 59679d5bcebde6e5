package io.tickvault.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickvault.server.config.ConfigException;
import io.tickvault.server.config.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyChoiceTest {
  @TempDir
  Path dataDir;

  @Test
  void externalDatabaseWithoutMasterKey_refusesToStartNamingTheVariable() {
    ServerConfig config = ServerConfig.builder().databaseUrl("jdbc:postgresql://db/tickvault").authDisabled(true).build();

    assertThatThrownBy(() -> Application.masterKey(config))
        .isInstanceOf(ConfigException.class)
        .hasMessage("TICKVAULT_MASTER_KEY: required with an external database (base64 of 32 bytes)");
  }

  @Test
  void startWithoutMasterKey_touchesNothing_noRedisStartedNoDatabaseMigrated() {
    // An unreachable database URL: had the server got as far as the pool or Flyway, the error
    // would be a connection failure, not the missing key.
    ServerConfig config = ServerConfig.builder().databaseUrl("jdbc:postgresql://127.0.0.1:1/none")
        .dataDir(dataDir).authDisabled(true).build();

    assertThatThrownBy(() -> Application.start(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("TICKVAULT_MASTER_KEY: required");
    assertThat(dataDir).isEmptyDirectory();
  }

  @Test
  void embeddedDefault_generatesAKeyOnceAndKeepsIt() {
    ServerConfig config = ServerConfig.builder().dataDir(dataDir).build();

    byte[] first = Application.masterKey(config);

    assertThat(first).hasSize(32);
    assertThat(Application.masterKey(config)).isEqualTo(first);
    assertThat(dataDir.resolve("master.key")).exists();
  }

  @Test
  void configuredKey_winsOverTheDataDir() {
    byte[] key = new byte[32];
    key[0] = 7;

    assertThat(Application.masterKey(ServerConfig.builder().dataDir(dataDir).masterKey(key).build())).isEqualTo(key);
    assertThat(dataDir.resolve("master.key")).doesNotExist();
  }
}
