package io.tickvault.client.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code $XDG_CONFIG_HOME/tickvault/config} (by default {@code ~/.config/tickvault/config}): the
 * connection settings a person would otherwise export in every shell, as {@code key = value}
 * lines. Keys before any section are the default profile; a {@code [NAME]} section is a profile
 * that overrides them, chosen with {@code --profile NAME} or TICKVAULT_PROFILE.
 *
 * <pre>
 * target = 127.0.0.1:50051
 *
 * [staging]
 * target = tickvault.staging.internal:50051
 * token = s3cret
 * tls-ca = /etc/tickvault/ca.pem
 * </pre>
 */
final class ConfigFile {
  /** The keys a profile may set: the long names of the connection options, without dashes. */
  static final Set<String> KEYS = Set.of("target", "token", "tls", "tls-ca", "tls-cert", "tls-key", "authority");

  private final Path path;
  private final Map<String, Map<String, String>> profiles;

  private ConfigFile(Path path, Map<String, Map<String, String>> profiles) {
    this.path = path;
    this.profiles = profiles;
  }

  /** Where the file is for this environment, or empty when neither XDG_CONFIG_HOME nor HOME is set. */
  static Optional<Path> location(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Optional.of(Path.of(xdg, "tickvault", "config"));
    }
    String home = env.get("HOME");
    return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home, ".config", "tickvault", "config"));
  }

  /** The file of this environment; an absent file is an empty one. */
  static ConfigFile load(Map<String, String> env) {
    Optional<Path> path = location(env);
    if (path.isEmpty() || !Files.exists(path.get())) {
      return new ConfigFile(path.orElse(null), Map.of("", Map.of()));
    }
    try {
      return parse(path.get(), Files.readAllLines(path.get()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path.get() + ": " + e.getMessage(), e);
    }
  }

  static ConfigFile parse(Path path, List<String> lines) {
    Map<String, Map<String, String>> profiles = new HashMap<>();
    Map<String, String> section = profiles.computeIfAbsent("", name -> new HashMap<>());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      String where = path + ":" + (i + 1) + ": ";
      if (line.startsWith("[") && line.endsWith("]")) {
        section = profiles.computeIfAbsent(line.substring(1, line.length() - 1).strip(), name -> new HashMap<>());
        continue;
      }
      int equals = line.indexOf('=');
      if (equals < 0) {
        throw new IllegalArgumentException(where + "expected 'key = value' or '[profile]', got '" + line + "'");
      }
      String key = line.substring(0, equals).strip();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(where + "unknown key '" + key + "'; the keys are " + String.join(", ", KEYS.stream().sorted().toList()));
      }
      section.put(key, line.substring(equals + 1).strip());
    }
    return new ConfigFile(path, profiles);
  }

  /** The settings of a profile over the default ones; {@code null} or "" is the default profile. */
  Map<String, String> profile(String name) {
    Map<String, String> settings = new HashMap<>(profiles.get(""));
    if (name == null || name.isBlank()) {
      return settings;
    }
    Map<String, String> named = profiles.get(name);
    if (named == null) {
      throw new IllegalArgumentException("--profile " + name + ": no [" + name + "] section in "
          + (path == null ? "the config file (neither XDG_CONFIG_HOME nor HOME is set)" : path));
    }
    settings.putAll(named);
    return settings;
  }
}
