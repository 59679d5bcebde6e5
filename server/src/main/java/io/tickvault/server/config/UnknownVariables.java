package io.tickvault.server.config;

import io.tickvault.api.Spelling;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * TICKVAULT_* variables that nothing reads: a misspelling (TICKVAULT_WORKERS_TOKENS) otherwise
 * leaves a setting at its default without a word. The names the server knows are those
 * {@link ServerConfig#fromEnvironment} asked for, so this list cannot fall behind it.
 */
public final class UnknownVariables {
  /**
   * Read by the tickvault CLI and its launcher (client/bin/tickvault), which a shell may export
   * beside the server's: set on purpose, so not a misspelling of a server variable.
   */
  static final Set<String> CLI = Set.of("TICKVAULT_TARGET", "TICKVAULT_TOKEN", "TICKVAULT_TLS", "TICKVAULT_TLS_CA",
      "TICKVAULT_TLS_CLIENT_CERT", "TICKVAULT_TLS_CLIENT_KEY", "TICKVAULT_AUTHORITY", "TICKVAULT_PROFILE",
      "TICKVAULT_CDS", "TICKVAULT_JAVA_OPTS", "TICKVAULT_JAR");

  private UnknownVariables() {}

  /** The configuration read from {@code env}, and a warning for each TICKVAULT_* variable it did not read. */
  public static List<String> warnings(Map<String, String> env) {
    Set<String> read = new HashSet<>();
    readFrom(env, read);
    // A part of the configuration stops at the value it refuses: the names after it in that part
    // are those it asks for when nothing is set, which nothing refuses.
    readFrom(Map.of(), read);
    return warnings(env.keySet(), read);
  }

  /** Adds to {@code read} the name of every variable the configuration asks {@code env} for. */
  private static void readFrom(Map<String, String> env, Set<String> read) {
    Map<String, String> recording = new java.util.HashMap<>(env) {
      @Override
      public String get(Object name) {
        read.add(String.valueOf(name));
        return super.get(name);
      }
    };
    try {
      ServerConfig.fromEnvironment(recording);
    } catch (ConfigException e) {
      // a bad value is reported on its own; the names read so far still count
    }
  }

  static List<String> warnings(Set<String> names, Set<String> known) {
    List<String> warnings = new ArrayList<>();
    for (String name : new TreeSet<>(names)) {
      if (!name.startsWith("TICKVAULT_") || known.contains(name) || CLI.contains(name) || name.startsWith("TICKVAULT_TEST_")) {
        continue;
      }
      warnings.add("warning: " + name + " is not a tickvault variable and is ignored"
          + Spelling.closest(name, known).map(closest -> "; did you mean " + closest + "?").orElse(""));
    }
    return warnings;
  }
}
