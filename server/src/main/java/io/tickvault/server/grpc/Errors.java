package io.tickvault.server.grpc;

import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tickvault.server.db.DataAccessException;
import io.tickvault.server.db.StatementTimeout;
import io.tickvault.server.logging.RateLimitedLog;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what went wrong into a status of the error model that workers see: a bad call, an
 * unreachable dependency, a bug (the statuses and their details: docs/worker-guide.md).
 */
public final class Errors {
  private static final Logger log = LoggerFactory.getLogger(Errors.class);
  /** What a client is told to wait before it retries an UNAVAILABLE or RESOURCE_EXHAUSTED call. */
  public static final Duration RETRY_DELAY = Duration.ofSeconds(1);
  // One line per interval however many calls fail the same way: an outage must not flood the log.
  private static final RateLimitedLog unavailableLog = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());
  private static final RateLimitedLog internalLog = new RateLimitedLog(log, RateLimitedLog.DEFAULT_INTERVAL, Clock.systemUTC());

  private Errors() {}

  /** INVALID_ARGUMENT with a {@code google.rpc.BadRequest} naming one field. */
  public static StatusRuntimeException invalidArgument(String field, String description) {
    return invalidArgument(List.of(
        BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description).build()));
  }

  /**
   * INVALID_ARGUMENT whose details (trailer {@code grpc-status-details-bin}) are one
   * {@code google.rpc.BadRequest} with every violation, and whose message lists them too
   * ("field: description; other_field: description"), for logs that do not decode details.
   */
  static StatusRuntimeException invalidArgument(List<BadRequest.FieldViolation> violations) {
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(Code.INVALID_ARGUMENT_VALUE)
        .setMessage(violations.stream()
            .map(v -> v.getField() + ": " + v.getDescription())
            .collect(Collectors.joining("; ")))
        .addDetails(com.google.protobuf.Any.pack(BadRequest.newBuilder().addAllFieldViolations(violations).build()))
        .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  /** The status, with a {@code google.rpc.RetryInfo} detail saying to retry after {@link #RETRY_DELAY}. */
  public static StatusRuntimeException retryLater(Status.Code code, String description) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(code.value())
        .setMessage(description)
        .addDetails(com.google.protobuf.Any.pack(RetryInfo.newBuilder()
            .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(RETRY_DELAY.toSeconds()))
            .build()))
        .build());
  }

  /** UNAVAILABLE, retry later: PostgreSQL cannot be reached. */
  public static StatusRuntimeException databaseDown() {
    return retryLater(Status.Code.UNAVAILABLE, "database unavailable, retry later");
  }

  /** FAILED_PRECONDITION: the request is well formed but refers to something that is not there. */
  public static StatusRuntimeException failedPrecondition(String description) {
    return Status.FAILED_PRECONDITION.withDescription(description).asRuntimeException();
  }

  /**
   * The status for any failure of a call: a status passes through, a pool with no connection free
   * (PostgreSQL answering) RESOURCE_EXHAUSTED with a retry hint, a statement cancelled at its time
   * limit RESOURCE_EXHAUSTED without one (asked again, it would run as long), an unreachable
   * database UNAVAILABLE (clients retry), anything else INTERNAL, logged here with its stack trace;
   * both logs at most once per {@link RateLimitedLog#DEFAULT_INTERVAL} with a count of the rest.
   */
  public static StatusRuntimeException toStatus(Throwable error) {
    if (error instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (error instanceof io.grpc.StatusException se) {
      return se.getStatus().asRuntimeException(se.getTrailers());
    }
    if (DataAccessException.isPoolBusy(error)) {
      StatusRuntimeException busy = retryLater(Status.Code.RESOURCE_EXHAUSTED,
          "server busy: no database connection came free in time, retry later");
      return busy.getStatus().withCause(error).asRuntimeException(busy.getTrailers());
    }
    if (StatementTimeout.isTimeout(error)) {
      return Status.RESOURCE_EXHAUSTED.withDescription("a query of this call ran longer than the server allows one"
          + " query: ask for a shorter range, or a longer interval").withCause(error).asRuntimeException();
    }
    if (error instanceof DataAccessException dae && dae.isUnavailable()
        || DataAccessException.isRetryable(error)) {
      unavailableLog.warn("database unavailable: " + error.getMessage());
      StatusRuntimeException down = databaseDown();
      return down.getStatus().withCause(error).asRuntimeException(down.getTrailers());
    }
    internalLog.error("internal error", error);
    return Status.INTERNAL.withDescription("internal error").withCause(error).asRuntimeException();
  }
}
