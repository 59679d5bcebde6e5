package io.tickvault.server.apikeys;

import io.tickvault.server.grpc.Errors;

/** The limits of api_keys.proto, checked field by field with a message that names the field. */
final class ApiKeyFields {
  static final int MAX_USER_ID = 128;
  static final int MAX_ACCESS_KEY = 256;
  static final int MAX_SECRET_KEY = 1024;
  static final int MAX_LABEL = 256;

  private ApiKeyFields() {}

  /** A required value of a text column. */
  static void requireText(String field, String value, int max) {
    requirePresent(field, value);
    requireAtMost(field, value, max);
  }

  /** An optional value of a text column: PostgreSQL text cannot hold NUL, so it is refused here. */
  static void requireAtMost(String field, String value, int max) {
    requireLength(field, value, max);
    if (value.indexOf('\0') >= 0) {
      throw Errors.invalidArgument(field, "must not contain the NUL character");
    }
  }

  /** The secret: stored encrypted as bytes, so any character is fine. */
  static void requireSecret(String value) {
    requirePresent("secret_key", value);
    requireLength("secret_key", value, MAX_SECRET_KEY);
  }

  private static void requirePresent(String field, String value) {
    if (value.isEmpty()) {
      throw Errors.invalidArgument(field, "is required");
    }
  }

  private static void requireLength(String field, String value, int max) {
    int length = value.codePointCount(0, value.length());
    if (length > max) {
      throw Errors.invalidArgument(field, "must be at most " + max + " characters, got " + length);
    }
  }

  static void requireExchangeId(int exchangeId) {
    if (exchangeId <= 0) {
      throw Errors.invalidArgument("exchange_id", exchangeId == 0 ? "is required" : "must be positive, got " + exchangeId);
    }
  }
}
