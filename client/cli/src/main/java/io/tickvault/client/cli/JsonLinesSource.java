package io.tickvault.client.cli;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One protobuf message per line in protobuf's JSON mapping (field names as in the .proto or in
 * lowerCamelCase, 64-bit numbers as numbers or strings), with enum values spelled as in CSV too
 * ({@code "BUY"} as well as {@code "TRADE_SIDE_BUY"}). A field the message does not have is
 * ignored with one warning per field name, so files from a newer producer still load; with
 * {@code strict} such a line is refused. A line that is not valid JSON for the message is refused
 * on its own.
 */
final class JsonLinesSource<R extends Message> extends RecordSource<R> {
  private static final JsonFormat.Parser STRICT = JsonFormat.parser();
  private static final JsonFormat.Parser LENIENT = JsonFormat.parser().ignoringUnknownFields();
  private static final Pattern UNKNOWN_FIELD = Pattern.compile("Cannot find field: (\\S+) in message (\\S+)");

  private final Supplier<Message.Builder> newBuilder;
  private final boolean strict;
  private final Map<String, EnumDescriptor> enumFields = new HashMap<>();
  private final Pattern enumValues;
  private final Map<String, Long> unknownFields = new LinkedHashMap<>(); // name (shown as an Excerpt) → first line seen

  JsonLinesSource(Input input, Supplier<Message.Builder> newBuilder, boolean strict) {
    super(input);
    this.newBuilder = newBuilder;
    this.strict = strict;
    collectEnumFields(newBuilder.get().getDescriptorForType(), new LinkedHashSet<>());
    this.enumValues = enumFields.isEmpty() ? null : Pattern.compile(
        "(\"(?:" + String.join("|", enumFields.keySet().stream().map(Pattern::quote).toList()) + ")\"\\s*:\\s*\")([A-Za-z0-9_]+)\"");
  }

  JsonLinesSource(Path file, Supplier<Message.Builder> newBuilder) {
    this(Input.open(file), newBuilder, false);
  }

  private void collectEnumFields(Descriptor message, Set<String> seen) {
    if (!seen.add(message.getFullName())) {
      return;
    }
    for (FieldDescriptor field : message.getFields()) {
      if (field.getJavaType() == FieldDescriptor.JavaType.ENUM) {
        enumFields.put(field.getName(), field.getEnumType());
        enumFields.put(field.getJsonName(), field.getEnumType());
      } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        collectEnumFields(field.getMessageType(), seen);
      }
    }
  }

  @Override
  Line<R> parse(long lineNumber, ByteLines line) {
    return parse(lineNumber, line.text());
  }

  @SuppressWarnings("unchecked")
  private Line<R> parse(long lineNumber, String text) {
    Message.Builder builder = newBuilder.get();
    String json = withFullEnumNames(text);
    try {
      STRICT.merge(json, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      Matcher unknown = UNKNOWN_FIELD.matcher(String.valueOf(e.getMessage()));
      if (strict || !unknown.find()) {
        return Line.unreadable(lineNumber, "", "", "not a JSON " + builder.getDescriptorForType().getName() + ": " + Excerpt.of(e.getMessage()));
      }
      builder = newBuilder.get();
      try {
        LENIENT.merge(json, builder);
      } catch (InvalidProtocolBufferException | RuntimeException again) {
        return Line.unreadable(lineNumber, "", "", "not a JSON " + builder.getDescriptorForType().getName() + ": " + Excerpt.of(again.getMessage()));
      }
      unknownFields.putIfAbsent(Excerpt.of(unknown.group(1)), lineNumber);
    }
    return Line.of(lineNumber, (R) builder.build());
  }

  /** "taker_side":"buy" → "taker_side":"TRADE_SIDE_BUY"; values that name nothing are left for the parser to refuse. */
  private String withFullEnumNames(String text) {
    if (enumValues == null) {
      return text;
    }
    Matcher m = enumValues.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    do {
      String field = m.group(1).substring(1, m.group(1).indexOf('"', 1));
      EnumValueDescriptor value = EnumSpellings.find(enumFields.get(field), m.group(2));
      String replacement = m.group(1) + (value == null ? m.group(2) : value.getName()) + "\"";
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    } while (m.find());
    m.appendTail(out);
    return out.toString();
  }

  @Override
  List<String> warnings() {
    if (unknownFields.isEmpty()) {
      return List.of();
    }
    // One warning for the file: each unknown field name once, with the first line it was seen on.
    List<String> fields = new ArrayList<>();
    unknownFields.forEach((name, line) -> fields.add(name + " (first on line " + line + ")"));
    return List.of("warning: ignored fields that " + newBuilder.get().getDescriptorForType().getName()
        + " does not have: " + String.join(", ", fields) + "; --strict refuses such lines");
  }
}
