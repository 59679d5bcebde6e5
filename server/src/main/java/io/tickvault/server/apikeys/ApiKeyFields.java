package io.tickvault.server.apikeys;

import io.tickvault.server.grpc.Errors;

/** The limits of api_keys.proto, checked field by field with a message that names the field. */
final class ApiKeyFields {
  static final int MAX_USER_ID = 128;
  static final int MAX_ACCESS_KEY = 256;
  static final int MAX_SECRET_KEY = 1024;
  static final int MAX_LABEL = 256;

  private ApiKeyFields() {}

  static void requireText(String field, String value, int max) {
    if (value.isEmpty()) {
      throw Errors.invalidArgument(field, "is required");
    }
    requireAtMost(field, value, max);
  }

  static void requireAtMost(String field, String value, int max) {
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
