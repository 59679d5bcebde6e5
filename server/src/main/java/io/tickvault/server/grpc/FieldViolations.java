package io.tickvault.server.grpc;

import com.google.rpc.BadRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The bad fields of one request, gathered so that an INVALID_ARGUMENT names all of them at once: a
 * worker whose request has two bad fields learns both from one answer instead of fixing one per
 * round trip. Checks add to it; {@link #throwIfAny()} ends the request when any was added.
 */
public final class FieldViolations {
  private final List<BadRequest.FieldViolation> violations = new ArrayList<>();

  /** Records that {@code field} (as named in the .proto) is bad, and why. */
  public FieldViolations add(String field, String description) {
    violations.add(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description).build());
    return this;
  }

  /** True while no violation was added. */
  public boolean isEmpty() {
    return violations.isEmpty();
  }

  /** Throws INVALID_ARGUMENT with one {@code google.rpc.BadRequest} listing every violation, if any. */
  public void throwIfAny() {
    if (!violations.isEmpty()) {
      throw Errors.invalidArgument(violations);
    }
  }
}
