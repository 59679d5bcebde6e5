package io.tickvault.server.apikeys;

import io.tickvault.server.grpc.FieldViolations;

/**
 * The limits of api_keys.proto, checked field by field; each bad field is added to the request's
 * {@link FieldViolations} with a message that names it, so one answer lists them all.
 */
final class ApiKeyFields {
  static final int MAX_USER_ID = 128;
  static final int MAX_ACCESS_KEY = 256;
  static final int MAX_SECRET_KEY = 1024;
  static final int MAX_LABEL = 256;

  private ApiKeyFields() {}

  static void requireText(FieldViolations violations, String field, String value, int max) {
    if (value.isEmpty()) {
      violations.add(field, "is required");
      return;
    }
    requireAtMost(violations, field, value, max);
  }

  static void requireAtMost(FieldViolations violations, String field, String value, int max) {
    int length = value.codePointCount(0, value.length());
    if (length > max) {
      violations.add(field, "must be at most " + max + " characters, got " + length);
    }
  }

  static void requireExchangeId(FieldViolations violations, int exchangeId) {
    if (exchangeId <= 0) {
      violations.add("exchange_id", exchangeId == 0 ? "is required" : "must be positive, got " + exchangeId);
    }
  }
}
