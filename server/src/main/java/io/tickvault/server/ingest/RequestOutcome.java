package io.tickvault.server.ingest;

import io.tickvault.api.v1.RejectedRecord;
import java.util.List;

/**
 * What became of the records of one request, once they are committed.
 *
 * @param requestIndex zero-based position of the request in its stream
 * @param rejections one per rejected record, index counted from the start of the stream
 */
public record RequestOutcome(long requestIndex, int received, int inserted, int duplicates, List<RejectedRecord> rejections) {
  public int rejected() {
    return rejections.size();
  }
}
