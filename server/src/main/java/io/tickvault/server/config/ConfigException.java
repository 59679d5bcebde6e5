package io.tickvault.server.config;

/** A configuration value that cannot be used. The message names the variable and what is wrong. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
