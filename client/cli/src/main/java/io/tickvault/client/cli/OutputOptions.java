package io.tickvault.client.cli;

import picocli.CommandLine.Option;

/** {@code --output text|json}: a mixin of every command that prints a result. */
final class OutputOptions {
  enum Format { text, json }

  @Option(names = {"-o", "--output"}, paramLabel = "text|json", defaultValue = "text",
      description = "text for people (default), json for scripts: one JSON object per result line.")
  Format format;

  boolean json() {
    return format == Format.json;
  }
}
