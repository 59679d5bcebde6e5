package io.tickvault.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tickvault.server.config.ServerArguments.Action;
import io.tickvault.server.config.ServerArguments.UsageException;
import org.junit.jupiter.api.Test;

class ServerArgumentsTest {
  @Test
  void noArguments_serveQuietly() {
    assertThat(ServerArguments.parse()).isEqualTo(new ServerArguments(Action.SERVE, false));
  }

  @Test
  void eachOption_asksForItsAction_andDebugGoesWithAny() {
    assertThat(ServerArguments.parse("--debug")).isEqualTo(new ServerArguments(Action.SERVE, true));
    assertThat(ServerArguments.parse("--reencrypt-api-keys", "--debug"))
        .isEqualTo(new ServerArguments(Action.REENCRYPT_API_KEYS, true));
    assertThat(ServerArguments.parse("--version")).isEqualTo(new ServerArguments(Action.VERSION, false));
    assertThat(ServerArguments.parse("-h")).isEqualTo(new ServerArguments(Action.HELP, false));
    assertThat(ServerArguments.parse("--help", "--help")).isEqualTo(new ServerArguments(Action.HELP, false));
  }

  @Test
  void aMistypedOption_isRefusedWithTheOneMeant() {
    assertThatThrownBy(() -> ServerArguments.parse("--reencrypt"))
        .isInstanceOf(UsageException.class)
        .hasMessage("unknown option '--reencrypt' (did you mean --reencrypt-api-keys?); --help lists the options");
    assertThatThrownBy(() -> ServerArguments.parse("--debgu"))
        .hasMessage("unknown option '--debgu' (did you mean --debug?); --help lists the options");
  }

  @Test
  void anOptionFarFromEveryName_isRefusedWithoutASuggestion() {
    assertThatThrownBy(() -> ServerArguments.parse("--grpc-port=50052"))
        .hasMessage("unknown option '--grpc-port=50052'; --help lists the options");
  }

  @Test
  void aWordThatIsNoOption_isRefused_sayingWhereConfigurationGoes() {
    assertThatThrownBy(() -> ServerArguments.parse("--debug", "serve"))
        .hasMessage("unexpected argument 'serve': the server takes options only, and is configured by TICKVAULT_* "
            + "variables; --help lists the options");
  }

  @Test
  void twoActions_areRefused() {
    assertThatThrownBy(() -> ServerArguments.parse("--reencrypt-api-keys", "--version"))
        .hasMessage("--version cannot be combined with --reencrypt-api-keys");
  }

  @Test
  void theUsage_listsEveryOption() {
    assertThat(ServerArguments.usage())
        .startsWith("usage: java -jar tickvault-server.jar")
        .contains("  --debug ", "  --reencrypt-api-keys ", "  --version ", "  -h, --help ")
        .contains("Exit codes: 0 ");
  }
}
