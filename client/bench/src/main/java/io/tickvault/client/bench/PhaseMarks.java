package io.tickvault.client.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * When each timed phase of a benchmark began and ended, for a tool that samples CPU from outside
 * ({@code bench/cpu-split.py}) and must know which samples belong to which phase. Off unless the
 * system property {@value #PROPERTY} names a file; then each phase appends one line to it:
 * {@code START_MS END_MS PHASE}, wall-clock milliseconds.
 */
final class PhaseMarks {
  static final String PROPERTY = "tickvault.bench.marks";
  private static final String FILE = System.getProperty(PROPERTY);

  private PhaseMarks() {}

  /** Notes that {@code phase} ran from {@code startMillis} until now. */
  static void record(String phase, long startMillis) {
    if (FILE == null) {
      return;
    }
    String line = startMillis + " " + System.currentTimeMillis() + " " + phase + "\n";
    try {
      Files.writeString(Path.of(FILE), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the phase marks to " + FILE, e);
    }
  }
}
