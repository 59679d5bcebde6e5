package io.tickvault.server.ingest;

/**
 * Where an {@link IngestCall} is. In the first three it reads requests; in the next three it reads no more,
 * and a drain task is always at work, which ends the call once the queue before the end is
 * written; {@link #ENDED} is final. Whether a drain task is at work in a reading phase is kept
 * beside the phase ({@code draining}): it says who may speak on the response side, not what the
 * call does.
 */
enum CallPhase {
  /** Reading, nothing asked for: the queue is full, the client does not read its acks, or a request just came. */
  HELD,
  /** Reading, one request asked for and not yet received: the idle clock runs. */
  ASKED,
  /** Reading, but the server as a whole holds too much: waiting for another stream to give bytes back. */
  AWAITING_MEMORY,
  /** A failure is queued: it ends the call in its place, after the requests before it are answered. */
  FAILING,
  /** The server is stopping: the requests read are answered, then the call ends UNAVAILABLE. */
  STOPPING,
  /** The client sent everything: the call completes once every request is answered. */
  HALF_CLOSED,
  /** Answered, failed or cancelled. */
  ENDED;

  boolean reading() {
    return this == HELD || this == ASKED || this == AWAITING_MEMORY;
  }
}
