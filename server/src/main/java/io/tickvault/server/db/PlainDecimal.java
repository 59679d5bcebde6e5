package io.tickvault.server.db;

import java.math.BigDecimal;

/**
 * The one check of the decimal strings that prices and quantities travel as (docs/ingestion.md,
 * "Rejections"), shared by every record kind: a positive plain decimal is digits with at most one
 * '.', a digit on each side of it, no sign, no exponent, no leading zero before another digit,
 * at most {@value #MAX_SIGNIFICANT_DIGITS} significant digits and {@value #MAX_FRACTION_DIGITS}
 * after the point, and not zero.
 *
 * <p>Why so strict: PostgreSQL {@code numeric} would accept {@code "1e3"}, {@code "+5"} or
 * {@code "007"}, but would read them back as {@code 1000}, {@code 5} and {@code 7}. Everything
 * accepted here is stored and read back digit for digit, trailing zeros included, which is the
 * promise made to analysts. The scan is hand-written because it runs for every price and quantity
 * of every record (40 times per order book snapshot of 20 levels a side).
 */
public final class PlainDecimal {
  /** Significant digits allowed: from the first non-zero digit to the last digit. */
  public static final int MAX_SIGNIFICANT_DIGITS = 38;
  /** Digits allowed after the point. */
  public static final int MAX_FRACTION_DIGITS = 18;
  /** Longest text that can pass: "0." and 18 fraction digits, or 38 digits and a point. */
  private static final int MAX_LENGTH = MAX_SIGNIFICANT_DIGITS + 2;

  private PlainDecimal() {}

  /** Why {@code text} is not a positive plain decimal, or null when it is one. */
  public static String whyNotPositive(String text) {
    if (text.isEmpty()) {
      return "is required";
    }
    if (text.length() > MAX_LENGTH) {
      return "is too long: " + text.length() + " characters (at most " + MAX_SIGNIFICANT_DIGITS
          + " significant digits, " + MAX_FRACTION_DIGITS + " after the point)";
    }
    int point = -1;
    int firstNonZero = -1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '.') {
        if (point >= 0) {
          return "must be a plain decimal with at most one '.', got '" + text + "'";
        }
        point = i;
      } else if (c >= '0' && c <= '9') {
        if (c != '0' && firstNonZero < 0) {
          firstNonZero = i;
        }
      } else {
        return "must be a plain decimal (digits and at most one '.', no sign or exponent), got '" + text + "'";
      }
    }
    int integerDigits = point < 0 ? text.length() : point;
    if (integerDigits == 0 || point == text.length() - 1) {
      return "must have a digit on each side of the '.', got '" + text + "'";
    }
    if (integerDigits > 1 && text.charAt(0) == '0') {
      return "must not have leading zeros, got '" + text + "'";
    }
    int fractionDigits = point < 0 ? 0 : text.length() - point - 1;
    if (fractionDigits > MAX_FRACTION_DIGITS) {
      return "must have at most " + MAX_FRACTION_DIGITS + " digits after the point, got " + fractionDigits;
    }
    if (firstNonZero < 0) {
      return "must be positive, got '" + text + "'";
    }
    int significant = text.length() - firstNonZero - (point > firstNonZero ? 1 : 0);
    if (significant > MAX_SIGNIFICANT_DIGITS) {
      return "must have at most " + MAX_SIGNIFICANT_DIGITS + " significant digits, got " + significant;
    }
    return null;
  }

  /**
   * The value of a text that passed {@link #whyNotPositive}, with the scale its text shows ("1.50"
   * is 150 at scale 2), as {@code new BigDecimal(text)} gives it. Texts of up to 18 characters
   * (every digit fits a long) are read here, which costs a fraction of {@code BigDecimal}'s parser.
   */
  public static BigDecimal toBigDecimal(String text) {
    int n = text.length();
    if (n > 18) {
      return new BigDecimal(text);
    }
    long unscaled = 0;
    int scale = 0;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c == '.') {
        scale = n - i - 1;
      } else {
        unscaled = unscaled * 10 + (c - '0');
      }
    }
    return BigDecimal.valueOf(unscaled, scale);
  }

  /**
   * Compares two texts that passed {@link #whyNotPositive} by value, without parsing them:
   * negative, zero or positive as {@code a} is less than, equal to or greater than {@code b}.
   * {@code "1.50"} equals {@code "1.5"}.
   */
  public static int compare(String a, String b) {
    int aPoint = pointOrLength(a);
    int bPoint = pointOrLength(b);
    // No leading zeros: the longer integer part is the larger number.
    if (aPoint != bPoint) {
      return Integer.compare(aPoint, bPoint);
    }
    for (int i = 0; i < aPoint; i++) {
      int d = Character.compare(a.charAt(i), b.charAt(i));
      if (d != 0) {
        return d;
      }
    }
    int aFraction = a.length() - aPoint - 1;
    int bFraction = b.length() - bPoint - 1;
    for (int i = 0; i < Math.max(aFraction, bFraction); i++) {
      int d = Character.compare(fractionDigit(a, aPoint, aFraction, i), fractionDigit(b, bPoint, bFraction, i));
      if (d != 0) {
        return d;
      }
    }
    return 0;
  }

  private static int pointOrLength(String text) {
    int point = text.indexOf('.');
    return point < 0 ? text.length() : point;
  }

  private static char fractionDigit(String text, int point, int fractionDigits, int i) {
    return i < fractionDigits ? text.charAt(point + 1 + i) : '0';
  }
}
