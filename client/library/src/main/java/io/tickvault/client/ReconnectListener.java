package io.tickvault.client;

import io.grpc.Status;
import java.time.Duration;

/** Told of each reconnect of a stream writer, so a tool can show it ("reconnecting (attempt 3) …"). */
@FunctionalInterface
public interface ReconnectListener {
  /**
   * Called when a call failed with a retryable status and a new one will be opened after
   * {@code wait}; {@code attempt} counts reconnects since the last acknowledgement.
   */
  void reconnecting(int attempt, Status status, Duration wait);
}
