package io.tickvault.server.config;

import java.util.List;

/**
 * Who may call: the bearer tokens of workers and of admins. Without any token nothing is checked,
 * which {@link ServerConfig} allows only for the embedded default or when asked for by name.
 *
 * @param disabledByName TICKVAULT_AUTH=disabled: no token is checked even with an external database
 * @param reflectionPublic reflection needs no token, like health; by default it needs a worker or
 *     admin token
 */
public record AuthSettings(List<String> workerTokens, List<String> adminTokens, boolean disabledByName,
                           boolean reflectionPublic) {
  /** A shorter token could be guessed. */
  public static final int MIN_TOKEN_CHARS = 16;

  public AuthSettings {
    workerTokens = List.copyOf(workerTokens);
    adminTokens = List.copyOf(adminTokens);
  }

  public boolean hasTokens() {
    return !workerTokens.isEmpty() || !adminTokens.isEmpty();
  }

  /** True when no token is required: disabled by name, or no token given. */
  public boolean disabled() {
    return disabledByName || !hasTokens();
  }

  static AuthSettings fromEnvironment(EnvReader env) {
    List<String> workerTokens = tokens(env, "TICKVAULT_WORKER_TOKENS");
    List<String> adminTokens = tokens(env, "TICKVAULT_ADMIN_TOKENS");
    boolean disabled = env.oneOf("TICKVAULT_AUTH", "disabled", "enabled").map("disabled"::equals).orElse(false);
    boolean reflectionPublic = env.oneOf("TICKVAULT_REFLECTION", "token", "public").map("public"::equals).orElse(false);
    return new AuthSettings(workerTokens, adminTokens, disabled, reflectionPublic);
  }

  private static List<String> tokens(EnvReader env, String variable) {
    List<String> tokens = env.list(variable);
    for (String token : tokens) {
      if (token.length() < MIN_TOKEN_CHARS) {
        // never echo the token itself
        throw new ConfigException(variable + ": every token must be at least " + MIN_TOKEN_CHARS + " characters long");
      }
    }
    return tokens;
  }

  /** Without the tokens. */
  @Override
  public String toString() {
    return "AuthSettings[workerTokens=" + workerTokens.size() + ", adminTokens=" + adminTokens.size()
        + ", disabledByName=" + disabledByName + ", reflectionPublic=" + reflectionPublic + "]";
  }
}
