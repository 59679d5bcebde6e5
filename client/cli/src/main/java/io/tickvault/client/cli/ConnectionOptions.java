package io.tickvault.client.cli;

import io.tickvault.client.TickvaultClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * How to reach the server; a mixin of every command that calls it. Each setting comes from the
 * command line, else its TICKVAULT_* variable ({@link EnvironmentDefaults}), else the config file's
 * profile ({@link ConfigFile}), else the built-in default.
 */
final class ConnectionOptions {
  /** host:port, [v6]:port, or a URI with a scheme (dns:///host:port, unix:/path). */
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[^\\]]+]|[^:/\\[\\]]+):\\d{1,5}");

  @Option(names = "--target", paramLabel = "HOST:PORT",
      description = "Server address, or dns:///host:port for round robin over its addresses "
          + "(env TICKVAULT_TARGET; default " + TickvaultClient.DEFAULT_TARGET + ").")
  String target;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "Bearer token sent as 'authorization: Bearer TOKEN' (env TICKVAULT_TOKEN).")
  String token;

  @Option(names = "--tls", description = "Use TLS, trusting the JDK's certificate authorities (env TICKVAULT_TLS=true).")
  Boolean tls;

  @Option(names = "--tls-ca", paramLabel = "FILE", description = "Use TLS, trusting the CA certificates in this PEM file (env TICKVAULT_TLS_CA).")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Client certificate (PEM) for mutual TLS (env TICKVAULT_TLS_CLIENT_CERT).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Client private key (PEM, PKCS#8) for mutual TLS (env TICKVAULT_TLS_CLIENT_KEY).")
  Path tlsKey;

  @Option(names = "--authority", paramLabel = "HOST", description = "Host name to check the server's certificate against, when it differs from the target's (env TICKVAULT_AUTHORITY).")
  String authority;

  @Option(names = "--profile", paramLabel = "NAME",
      description = "The [NAME] section of ~/.config/tickvault/config ($XDG_CONFIG_HOME/tickvault/config) "
          + "to take unset connection settings from (env TICKVAULT_PROFILE).")
  String profile;

  @Option(names = "--deadline", paramLabel = "SECONDS", defaultValue = "10",
      description = "Deadline of each unary call in seconds, retries included (default ${DEFAULT-VALUE}).")
  double deadlineSeconds;

  private final CliContext context;

  ConnectionOptions(CliContext context) {
    this.context = context;
  }

  /** The target the client connects to, as the settings resolve it. */
  String resolvedTarget() {
    return first(target, settings().get("target"), TickvaultClient.DEFAULT_TARGET);
  }

  /** A client as these options say; the caller closes it. */
  TickvaultClient connect() {
    if (deadlineSeconds <= 0) {
      throw new IllegalArgumentException("--deadline: must be positive, got " + deadlineSeconds);
    }
    Map<String, String> file = settings();
    String chosenTarget = resolvedTarget();
    checkTarget(chosenTarget);
    Path ca = tlsCa != null ? tlsCa : path(file.get("tls-ca"));
    Path cert = tlsCert != null ? tlsCert : path(file.get("tls-cert"));
    Path key = tlsKey != null ? tlsKey : path(file.get("tls-key"));
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key: give both or neither");
    }
    TickvaultClient.Builder builder = TickvaultClient.builder()
        .target(chosenTarget)
        .token(first(token, file.get("token"), null))
        .tls(tls != null ? tls : Boolean.parseBoolean(file.getOrDefault("tls", "false")))
        .deadline(Duration.ofMillis(Math.round(deadlineSeconds * 1000)));
    if (ca != null) {
      builder.tlsCa(ca);
    }
    if (cert != null) {
      builder.tlsClientCertificate(cert, key);
    }
    String chosenAuthority = first(authority, file.get("authority"), null);
    if (chosenAuthority != null) {
      builder.authority(chosenAuthority);
    }
    return builder.build();
  }

  /** The bearer token the settings resolve to; null when none. */
  String resolvedToken() {
    return first(token, settings().get("token"), null);
  }

  /** Whether the connection uses TLS, for error messages. */
  boolean usesTls() {
    Map<String, String> file = settings();
    return Boolean.TRUE.equals(tls) || tlsCa != null || tlsCert != null
        || (tls == null && Boolean.parseBoolean(file.getOrDefault("tls", "false")))
        || file.containsKey("tls-ca") || file.containsKey("tls-cert");
  }

  private Map<String, String> settings() {
    String chosen = profile != null ? profile : context.env().get("TICKVAULT_PROFILE");
    return ConfigFile.load(context.env()).profile(chosen);
  }

  /** A target without a port would silently mean 443: say so before anything connects. */
  static void checkTarget(String target) {
    if (target.contains(":/") || HOST_PORT.matcher(target).matches()) {
      return;
    }
    throw new IllegalArgumentException("--target " + target + ": expected HOST:PORT (e.g. 127.0.0.1:50051) "
        + "or a URI such as dns:///host:50051");
  }

  private Path path(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String home = context.env().get("HOME");
    return value.startsWith("~/") && home != null ? Path.of(home, value.substring(2)) : Path.of(value);
  }

  private static String first(String a, String b, String fallback) {
    if (a != null && !a.isBlank()) {
      return a;
    }
    return b != null && !b.isBlank() ? b : fallback;
  }
}
