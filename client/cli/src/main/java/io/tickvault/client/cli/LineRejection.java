package io.tickvault.client.cli;

import com.google.gson.JsonObject;
import io.tickvault.api.v1.RejectionReason;

/**
 * A rejection of {@code tickvault ingest}, by the line of the file it came from; code is null for a
 * line that could not be read (and so was not sent).
 */
record LineRejection(long line, String key, String field, String reason, RejectionReason code) {
  /**
   * A rejection as it is shown: the key holds the file's trade id and the server's reason may quote
   * a value, so both are {@link Excerpt}s (a reason is our words around an excerpt: a longer cap).
   */
  static LineRejection shown(long line, String key, String field, String reason, RejectionReason code) {
    return new LineRejection(line, Excerpt.of(key), Excerpt.of(field), Excerpt.of(reason, 4 * Excerpt.MAX_BYTES), code);
  }

  /** "rejected line 5 (1/1/t-1004): price: must be a plain decimal …". */
  String text() {
    StringBuilder text = new StringBuilder("rejected line ").append(line < 0 ? "?" : String.valueOf(line));
    if (key != null && !key.isEmpty()) {
      text.append(" (").append(key).append(')');
    }
    text.append(": ");
    if (field != null && !field.isEmpty()) {
      text.append(field).append(": ");
    }
    return text.append(reason).toString();
  }

  /** The rejection in the JSON summary, with the server's code when it has one. */
  JsonObject json() {
    JsonObject json = new JsonObject();
    json.addProperty("line", line);
    json.addProperty("key", key == null ? "" : key);
    json.addProperty("field", field == null ? "" : field);
    json.addProperty("reason", reason);
    if (code != null) {
      json.addProperty("code", code.name());
    }
    return json;
  }
}
