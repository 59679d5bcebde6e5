package io.tickvault.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/** Assertions on the statuses that workers see (docs/worker-guide.md: errors and their details). */
public final class GrpcAssertions {
  private GrpcAssertions() {}

  public static StatusRuntimeException rpcError(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call should have failed").isNotNull();
    return e;
  }

  /** INVALID_ARGUMENT with a BadRequest naming the one field and saying what is wrong. */
  public static void assertInvalidArgument(StatusRuntimeException e, String field, String description) {
    assertInvalidArgumentFields(e, field, description);
  }

  /**
   * INVALID_ARGUMENT with one BadRequest listing exactly these violations, in this order, given as
   * {@code field, description, field, description…}; the status message lists them too.
   */
  public static void assertInvalidArgumentFields(StatusRuntimeException e, String... fieldsAndDescriptions) {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < fieldsAndDescriptions.length; i += 2) {
      expected.add(fieldsAndDescriptions[i] + ": " + fieldsAndDescriptions[i + 1]);
    }
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo(String.join("; ", expected));
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).isNotNull();
    List<BadRequest> badRequests = status.getDetailsList().stream()
        .filter(any -> any.is(BadRequest.class))
        .map(any -> {
          try {
            return any.unpack(BadRequest.class);
          } catch (InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
          }
        })
        .toList();
    assertThat(badRequests).hasSize(1);
    assertThat(badRequests.get(0).getFieldViolationsList())
        .extracting(v -> v.getField() + ": " + v.getDescription())
        .containsExactlyElementsOf(expected);
  }
}
