package io.tickvault.server.config;

import java.util.regex.Pattern;

/**
 * Passwords kept out of what the server prints: a URL's {@code user:password@} and its
 * {@code password=} parameters, wherever a URL appears in a message, the server's own or a
 * library's that quotes the URL it could not use.
 */
public final class Redaction {
  /**
   * From {@code //} to the last {@code @} of the authority: a password in a malformed URL may hold an
   * unescaped '/' or '@'. Over-redacting a host is the price of never showing part of a password.
   */
  private static final Pattern USER_INFO = Pattern.compile("//[^\\s@]*@(?:[^\\s@,/]*@)*");
  /** pgjdbc reads {@code password} and {@code sslpassword} from the query. */
  private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;](?:ssl)?password=)[^&;\\s]*");

  private Redaction() {}

  /** The text with every URL's credentials replaced by {@code ***}; a URL alone is such a text. */
  public static String urls(String text) {
    String withoutUserInfo = USER_INFO.matcher(text).replaceAll("//***@");
    return PASSWORD_PARAMETER.matcher(withoutUserInfo).replaceAll("$1***");
  }
}
