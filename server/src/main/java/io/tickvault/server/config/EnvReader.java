package io.tickvault.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Reads single variables; each failure names its variable. */
final class EnvReader {
  private final Map<String, String> env;
  private ConfigException firstRefusal;

  EnvReader(Map<String, String> env) {
    this.env = env;
  }

  /**
   * Reads one part of the configuration. When the part refuses a value, the refusal is kept and
   * null returned, so that the parts after it are still read and every variable the server knows
   * is asked for ({@link UnknownVariables} counts on that); {@link #throwFirstRefusal} ends the reading.
   */
  <T> T part(Function<EnvReader, T> reader) {
    try {
      return reader.apply(this);
    } catch (ConfigException e) {
      if (firstRefusal == null) {
        firstRefusal = e;
      }
      return null;
    }
  }

  void throwFirstRefusal() {
    if (firstRefusal != null) {
      throw firstRefusal;
    }
  }

  Optional<String> string(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  boolean bool(String name, boolean defaultValue) {
    Optional<String> raw = string(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    return switch (raw.get()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(name + "=" + raw.get() + ": expected true or false");
    };
  }

  /** One of two words, as written; empty when the variable is not set. */
  Optional<String> oneOf(String name, String first, String second) {
    Optional<String> raw = string(name);
    if (raw.isPresent() && !raw.get().equals(first) && !raw.get().equals(second)) {
      throw new ConfigException(name + ": expected '" + first + "' or '" + second + "', got '" + raw.get() + "'");
    }
    return raw;
  }

  /** A whole number; whether it is in range is checked by the part that holds it. */
  int integer(Bounds bounds, int defaultValue) {
    Optional<String> raw = string(bounds.variable());
    if (raw.isEmpty()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(raw.get());
    } catch (NumberFormatException e) {
      throw new ConfigException(bounds.variable() + "=" + raw.get() + ": not a whole number (expected "
          + bounds.min() + " to " + bounds.max() + ")");
    }
  }

  /** A whole number of the variable's unit. */
  Duration duration(Bounds bounds, Duration defaultValue) {
    Optional<String> raw = string(bounds.variable());
    return raw.isEmpty() ? defaultValue : Duration.of(integer(bounds, 0), bounds.unit());
  }

  /** Comma-separated values, blanks dropped. */
  List<String> list(String name) {
    return string(name).map(raw -> Arrays.stream(raw.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList())
        .orElse(List.of());
  }

  Optional<Path> file(String name) {
    return string(name).map(value -> {
      Path path = Path.of(value);
      if (!Files.isReadable(path)) {
        throw new ConfigException(name + "=" + value + ": no readable file there");
      }
      return path;
    });
  }
}
