package io.tickvault.server.apikeys;

/** Redis did not answer (down, disconnected, timed out, recently timed out): the call goes to PostgreSQL. */
final class CacheUnavailableException extends Exception {
  CacheUnavailableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
