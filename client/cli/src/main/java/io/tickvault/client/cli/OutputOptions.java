package io.tickvault.client.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code -o/--output text|json}: a mixin of every command that prints a result, but {@code read}
 * (whose formats are csv and JSON Lines: {@link ReadCommand.Output}). {@code -o} is a format on
 * every command; a file is named by {@code --out} or an argument, never by {@code -o}.
 */
final class OutputOptions {
  /** Every format a command may print; each command takes those it can. */
  enum Format { text, json, csv, jsonl }

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  private boolean json;

  /** Refused while the command line is read, so that nothing is sent for a format the command lacks. */
  @Option(names = {"-o", "--output"}, paramLabel = "text|json", converter = FormatConverter.class,
      description = "text for people (default), json for scripts: one JSON object per result line.")
  void format(Format format) {
    if (format != Format.text && format != Format.json) {
      throw new ParameterException(command.commandLine(),
          "-o/--output: '" + command.qualifiedName() + "' prints text or json, not " + format);
    }
    json = format == Format.json;
  }

  boolean json() {
    return json;
  }

  /** Reads a format, telling someone who gave a file name (the old {@code read -o FILE}) where it goes. */
  static final class FormatConverter implements ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      try {
        return Format.valueOf(value.toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        boolean file = value.contains(".") || value.contains("/") || value.equals("-");
        throw new TypeConversionException("'" + value + "' is not a format (text, json, csv or jsonl, as the command takes)"
            + (file ? "; to write to a file use --out " + value : ""));
      }
    }
  }
}
