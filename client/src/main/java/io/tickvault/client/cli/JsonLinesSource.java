package io.tickvault.client.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * One protobuf message per line in protobuf's JSON mapping (field names as in the .proto or in
 * lowerCamelCase, enums by name, 64-bit numbers as numbers or strings). A line that is not valid
 * JSON for the message, or names a field the message does not have, is refused on its own.
 */
final class JsonLinesSource<R extends Message> extends RecordSource<R> {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private final Supplier<Message.Builder> newBuilder;

  JsonLinesSource(Path file, Supplier<Message.Builder> newBuilder) {
    super(file);
    this.newBuilder = newBuilder;
  }

  @Override
  @SuppressWarnings("unchecked")
  Line<R> parse(long lineNumber, String text) {
    Message.Builder builder = newBuilder.get();
    try {
      PARSER.merge(text, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return Line.unreadable(lineNumber, "", "", "not a JSON " + builder.getDescriptorForType().getName() + ": " + e.getMessage());
    }
    R record = (R) builder.build();
    return Line.of(lineNumber, record);
  }
}
