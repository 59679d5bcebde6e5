package io.tickvault.server.audit;

/** An audit record could not be made durable in time: the call it records must not return its secret. */
public final class AuditUnavailableException extends RuntimeException {
  public AuditUnavailableException(String message) {
    super(message, null, false, false);
  }
}
