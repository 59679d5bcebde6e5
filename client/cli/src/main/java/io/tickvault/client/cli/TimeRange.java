package io.tickvault.client.cli;

import picocli.CommandLine.Option;

/** {@code --from} and {@code --to} of a read of stored records: [from, to), 0 for no bound (as the RPCs take it). */
final class TimeRange {
  @Option(names = "--from", paramLabel = "TIME", defaultValue = "0", converter = TimeArguments.EpochMillis.class,
      description = "First time included: epoch milliseconds or ISO-8601 (2026-11-26T10:00:00Z; 2026-11-26 is "
          + "midnight UTC); default: from the first record.")
  long from;

  @Option(names = "--to", paramLabel = "TIME", defaultValue = "0", converter = TimeArguments.EpochMillis.class,
      description = "First time excluded, written as --from; default: no end.")
  long to;
}
