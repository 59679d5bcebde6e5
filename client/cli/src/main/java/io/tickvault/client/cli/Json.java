package io.tickvault.client.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * The tool's JSON, on one line: messages in protobuf's JSON mapping (as grpcurl prints them),
 * everything else (summaries, outcomes) built as Gson trees.
 */
final class Json {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .omittingInsignificantWhitespace()
      .preservingProtoFieldNames();
  // No HTML escaping: a reason's "'-1'" stays as the server wrote it, not "\u0027-1\u0027".
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private Json() {}

  /**
   * A yes/no result: {@code created} or {@code updated} as text, {@code {"created":true}} as JSON.
   */
  static String outcome(OutputOptions output, String yes, boolean value, String no) {
    if (output.json()) {
      JsonObject json = new JsonObject();
      json.addProperty(yes, value);
      return of(json);
    }
    return value ? yes : no;
  }

  static String of(JsonElement json) {
    return GSON.toJson(json);
  }

  static String of(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
