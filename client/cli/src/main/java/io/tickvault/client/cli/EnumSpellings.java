package io.tickvault.client.cli;

import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import java.util.Locale;

/**
 * The spellings of an enum value that files may use, the same in CSV and JSON: the .proto name
 * ({@code TRADE_SIDE_BUY}) or the name without the enum's prefix ({@code BUY}), in any case.
 */
final class EnumSpellings {
  private EnumSpellings() {}

  /** The value a spelling names, or null when it names none. */
  static EnumValueDescriptor find(EnumDescriptor type, String spelling) {
    String upper = spelling.trim().toUpperCase(Locale.ROOT);
    EnumValueDescriptor value = type.findValueByName(upper);
    return value != null ? value : type.findValueByName(prefix(type) + upper);
  }

  /** TradeSide → TRADE_SIDE_, as AIP-126 prefixes every value. */
  static String prefix(EnumDescriptor type) {
    return type.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT) + "_";
  }

  /** The spellings for a message: BUY, SELL (the unspecified value is left out). */
  static String shortNames(EnumDescriptor type) {
    return String.join(", ", type.getValues().stream()
        .filter(v -> v.getNumber() != 0)
        .map(v -> v.getName().substring(prefix(type).length()))
        .toList());
  }
}
