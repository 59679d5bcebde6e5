package io.tickvault.client.cli;

import io.tickvault.api.Spelling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
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

  /** Read by this tool outside the option defaults. */
  static final String PROFILE = "TICKVAULT_PROFILE";

  /** Read by the launcher, client/bin/tickvault, which passes its environment on to the tool. */
  static final List<String> LAUNCHER = List.of("TICKVAULT_CDS", "TICKVAULT_JAVA_OPTS", "TICKVAULT_JAR");

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

  /**
   * Warnings for TICKVAULT_* variables that look like a misspelling of one this tool reads
   * (TICKVAULT_TOKENS, TICKVAULT_TARGT): set but silently ignored, they cost hours. Variables of
   * the server (TICKVAULT_GRPC_PORT...) are not near-misses of these and pass unremarked.
   */
  static List<String> misspellings(Map<String, String> env) {
    TreeSet<String> known = new TreeSet<>(VARIABLES.values());
    known.add(PROFILE);
    known.addAll(LAUNCHER);
    List<String> warnings = new ArrayList<>();
    for (String name : new TreeSet<>(env.keySet())) {
      if (!name.startsWith("TICKVAULT_") || known.contains(name)) {
        continue;
      }
      Spelling.closest(name, known).ifPresent(candidate ->
          warnings.add("warning: " + name + " is not read by tickvault; did you mean " + candidate + "?"));
    }
    return warnings;
  }
}
