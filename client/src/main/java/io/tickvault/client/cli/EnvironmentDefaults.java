package io.tickvault.client.cli;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Fills connection options left off the command line from TICKVAULT_* variables, so one
 * {@code export} serves every command; a flag given on the command line wins.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  /** Option → variable. Documented in docs/cli.md ("Connection options") and in each option's help. */
  static final Map<String, String> VARIABLES = Map.of(
      "--target", "TICKVAULT_TARGET",
      "--token", "TICKVAULT_TOKEN",
      "--tls", "TICKVAULT_TLS",
      "--tls-ca", "TICKVAULT_TLS_CA",
      "--tls-cert", "TICKVAULT_TLS_CLIENT_CERT",
      "--tls-key", "TICKVAULT_TLS_CLIENT_KEY",
      "--authority", "TICKVAULT_AUTHORITY");

  private final Map<String, String> env;

  EnvironmentDefaults(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec)) {
      return null;
    }
    String variable = VARIABLES.get(((OptionSpec) argSpec).longestName());
    if (variable == null) {
      return null;
    }
    String value = env.get(variable);
    return value == null || value.isBlank() ? null : value;
  }
}
