package io.tickvault.server.ingest;

/**
 * The check of a price or quantity sent as a plain positive decimal string (DESIGN.md, Contract):
 * digits with at most one '.', no sign, no exponent, no leading zeros, at most
 * {@value #MAX_SIGNIFICANT_DIGITS} significant digits and {@value #MAX_SCALE} after the point.
 * What passes is stored in a PostgreSQL {@code numeric} and read back as the same string.
 */
public final class PlainDecimal {
  public static final int MAX_SIGNIFICANT_DIGITS = 38;
  public static final int MAX_SCALE = 18;

  private PlainDecimal() {}

  /** Returns why the value is refused, or null when it is a valid positive plain decimal. */
  public static String check(String value) {
    if (value.isEmpty()) {
      return "is required";
    }
    int length = value.length();
    int point = -1;
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c == '.' && point < 0) {
        point = i;
      } else if (c < '0' || c > '9') {
        return "must be a plain decimal (digits with at most one '.', no sign or exponent), got " + quote(value);
      }
    }
    int integerDigits = point < 0 ? length : point;
    int scale = point < 0 ? 0 : length - point - 1;
    if (integerDigits == 0 || point >= 0 && scale == 0) {
      return "must have digits on both sides of the '.', got " + quote(value);
    }
    if (integerDigits > 1 && value.charAt(0) == '0') {
      // PostgreSQL would drop them: the value read back would not be the string sent.
      return "must not have leading zeros, got " + quote(value);
    }
    if (scale > MAX_SCALE) {
      return "has " + scale + " digits after the point, at most " + MAX_SCALE + " are allowed";
    }
    int firstNonZero = -1;
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c != '0' && c != '.') {
        firstNonZero = i;
        break;
      }
    }
    if (firstNonZero < 0) {
      return "must be positive, got " + quote(value);
    }
    int significant = length - firstNonZero - (point > firstNonZero ? 1 : 0);
    if (significant > MAX_SIGNIFICANT_DIGITS) {
      return "has " + significant + " significant digits, at most " + MAX_SIGNIFICANT_DIGITS + " are allowed";
    }
    return null;
  }

  private static String quote(String value) {
    return "'" + (value.length() > 48 ? value.substring(0, 45) + "..." : value) + "'";
  }
}
