package io.tickvault.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/** Assertions on the statuses of the error model (docs/worker-guide.md, "Errors"). */
public final class GrpcAssertions {
  private GrpcAssertions() {}

  public static StatusRuntimeException rpcError(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call should have failed").isNotNull();
    return e;
  }

  /** INVALID_ARGUMENT with a BadRequest naming the field and saying what is wrong. */
  public static void assertInvalidArgument(StatusRuntimeException e, String field, String description) {
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo(field + ": " + description);
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).isNotNull();
    BadRequest badRequest = status.getDetailsList().stream()
        .filter(any -> any.is(BadRequest.class))
        .map(any -> {
          try {
            return any.unpack(BadRequest.class);
          } catch (InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
          }
        })
        .findFirst().orElseThrow();
    assertThat(badRequest.getFieldViolations(0).getField()).isEqualTo(field);
    assertThat(badRequest.getFieldViolations(0).getDescription()).isEqualTo(description);
  }
}
