package io.tickvault.server.ingest;

import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import java.util.ArrayList;
import java.util.List;

/**
 * Rejections as they are sent back, bounded so that any answer fits a client's default 4 MiB
 * receive limit: each text that may echo the caller's input is cut to a short prefix followed by
 * its length ("…(1048576 characters)"), and a list stops growing past {@link #MAX_LIST_BYTES} or
 * its count limit. The counts beside the list stay exact; the answer says when the list is cut.
 */
final class Rejections {
  /** Longest record_key sent back, in characters, before the "…(N characters)" suffix. */
  static final int MAX_KEY_CHARS = 128;
  /** Longest reason sent back (a reason may quote the refused value). */
  static final int MAX_REASON_CHARS = 256;
  /** Serialized bytes of the rejections of one answer: a quarter of a client's default 4 MiB. */
  static final int MAX_LIST_BYTES = 1024 * 1024;

  private Rejections() {}

  static RejectedRecord of(long index, String recordKey, RejectionReason code, String field, String reason) {
    return RejectedRecord.newBuilder()
        .setIndex(index)
        .setRecordKey(truncate(recordKey, MAX_KEY_CHARS))
        .setCode(code)
        .setField(truncate(field, MAX_KEY_CHARS))
        .setReason(truncate(reason, MAX_REASON_CHARS))
        .build();
  }

  /** The text, or its first {@code max} characters and "…(N characters)" where N is its whole length. */
  static String truncate(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = text.offsetByCodePoints(0, Math.min(max, text.codePointCount(0, text.length())));
    if (end == text.length()) {
      return text; // max code points, some of them two chars long
    }
    return text.substring(0, end) + "…(" + text.codePointCount(0, text.length()) + " characters)";
  }

  /** The first rejections of an answer, up to a count and {@link #MAX_LIST_BYTES}. */
  static final class Capped {
    private final int maxCount;
    private final List<RejectedRecord> list = new ArrayList<>();
    private long bytes;
    private boolean truncated;

    Capped(int maxCount) {
      this.maxCount = maxCount;
    }

    void add(RejectedRecord rejection) {
      // The tag and length prefix of a repeated field entry: a few bytes more than the message.
      int size = rejection.getSerializedSize() + 5;
      if (truncated || list.size() >= maxCount || bytes + size > MAX_LIST_BYTES) {
        truncated = true;
        return;
      }
      list.add(rejection);
      bytes += size;
    }

    void addAll(List<RejectedRecord> rejections, boolean alreadyTruncated) {
      for (RejectedRecord rejection : rejections) {
        add(rejection);
      }
      truncated |= alreadyTruncated;
    }

    List<RejectedRecord> list() {
      return List.copyOf(list);
    }

    /** True when some rejection counted is not in {@link #list()}. */
    boolean truncated() {
      return truncated;
    }
  }
}
