package io.tickvault.client.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The exit codes of {@code tickvault}, so scripts can tell what went wrong without parsing text.
 * Documented in docs/cli.md ("Exit codes"); do not renumber.
 */
public final class ExitCodes {
  /** Everything worked (for {@code health}: the server is SERVING). */
  public static final int OK = 0;
  /** The call worked but some records were rejected; the summary lists them. */
  public static final int RECORDS_REJECTED = 1;
  /** Bad command line or unreadable input file: nothing was sent. */
  public static final int USAGE = 2;
  /** The server could not be reached, timed out, or is not SERVING: try again later. */
  public static final int UNAVAILABLE = 3;
  /** The token is missing, unknown, or not allowed this call (UNAUTHENTICATED, PERMISSION_DENIED). */
  public static final int AUTH = 4;
  /** The server refused the request itself (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, ...). */
  public static final int REFUSED = 5;
  /** Anything else: an internal error of the server or of this tool. */
  public static final int ERROR = 6;
  /**
   * {@code coverage}: the range asked has holes (the output lists them); {@code read
   * --require-complete}: the range has holes, so nothing was read.
   */
  public static final int INCOMPLETE = 7;
  /**
   * {@code ingest} stopped before the end of its file, which could not be read on (a truncated
   * gzip, a disk error): what was read before was sent and committed, and it says how many and the
   * {@code --skip} that resumes.
   */
  public static final int PARTLY_SENT = 8;
  /** {@code audit verify}: a chain of the audit trail is broken (a record changed or deleted); the output names it. */
  public static final int AUDIT_BROKEN = 9;
  /** Stopped by Ctrl-C (SIGINT, as shells report it: 128 + 2); {@code ingest} says what was committed. */
  public static final int INTERRUPTED = 130;

  private ExitCodes() {}

  /** The exit code for a failure, from its gRPC status when it has one. */
  public static int of(Throwable failure) {
    if (failure instanceof StatusRuntimeException) {
      Status status = ((StatusRuntimeException) failure).getStatus();
      if (status.getCode() == Status.Code.INTERNAL && String.valueOf(status.getDescription()).startsWith("http2 exception")) {
        return UNAVAILABLE; // no gRPC server at the target (a metrics port, a web server)
      }
      return of(status.getCode());
    }
    if (failure instanceof IllegalArgumentException || failure instanceof java.io.UncheckedIOException) {
      return USAGE;
    }
    return ERROR;
  }

  static int of(Status.Code code) {
    switch (code) {
      case OK:
        return OK;
      case UNAVAILABLE:
      case DEADLINE_EXCEEDED:
        return UNAVAILABLE;
      case UNAUTHENTICATED:
      case PERMISSION_DENIED:
        return AUTH;
      case INVALID_ARGUMENT:
      case FAILED_PRECONDITION:
      case RESOURCE_EXHAUSTED:
      case NOT_FOUND:
      case ALREADY_EXISTS:
      case OUT_OF_RANGE:
        return REFUSED;
      default:
        return ERROR;
    }
  }
}
