package io.tickvault.server.apikeys;

import io.tickvault.server.grpc.FieldViolations;

/**
 * The limits of api_keys.proto, checked field by field; each bad field is added to the request's
 * {@link FieldViolations} with a message that names it, so one answer lists them all.
 */
public final class ApiKeyFields {
  public static final int MAX_USER_ID = 128;
  public static final int MAX_ACCESS_KEY = 256;
  static final int MAX_SECRET_KEY = 1024;
  public static final int MAX_LABEL = 256;

  private ApiKeyFields() {}

  /** A required value of a text column. */
  public static void requireText(FieldViolations violations, String field, String value, int max) {
    if (value.isEmpty()) {
      violations.add(field, "is required");
      return;
    }
    requireAtMost(violations, field, value, max);
  }

  /** An optional value of a text column: PostgreSQL text cannot hold NUL, so it is refused here. */
  public static void requireAtMost(FieldViolations violations, String field, String value, int max) {
    if (!requireLength(violations, field, value, max)) {
      return;
    }
    if (value.indexOf('\0') >= 0) {
      violations.add(field, "must not contain the NUL character");
    }
  }

  /** The secret: stored encrypted as bytes, so any character is fine. */
  public static void requireSecret(FieldViolations violations, String value) {
    if (value.isEmpty()) {
      violations.add("secret_key", "is required");
      return;
    }
    requireLength(violations, "secret_key", value, MAX_SECRET_KEY);
  }

  /** False (and a violation added) when the value is too long. */
  private static boolean requireLength(FieldViolations violations, String field, String value, int max) {
    int length = value.codePointCount(0, value.length());
    if (length > max) {
      violations.add(field, "must be at most " + max + " characters, got " + length);
      return false;
    }
    return true;
  }

  public static void requireExchangeId(FieldViolations violations, int exchangeId) {
    if (exchangeId <= 0) {
      violations.add("exchange_id", exchangeId == 0 ? "is required" : "must be positive, got " + exchangeId);
    }
  }
}
