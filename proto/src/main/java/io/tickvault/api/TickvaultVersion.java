package io.tickvault.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this build of tickvault (the Maven project version), shared by the server, which
 * reports it, and the client, which shows it beside the server's.
 *
 * <p>The server sends its version to every caller in the response header
 * {@value #SERVER_VERSION_HEADER} (in the trailers when a call fails before any header is sent),
 * so a client learns it from any call, Health/Check included, without an RPC of its own.
 */
public final class TickvaultVersion {
  /** The response header (gRPC metadata key) that carries the server's version. */
  public static final String SERVER_VERSION_HEADER = "tickvault-server-version";

  private static final String CURRENT = load();

  private TickvaultVersion() {}

  /** This build's version, such as {@code 0.2.0} or {@code 0.2.0-SNAPSHOT}. */
  public static String current() {
    return CURRENT;
  }

  private static String load() {
    try (InputStream in = TickvaultVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("io/tickvault/api/version.properties is missing from the classpath");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
