package io.tickvault.client.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code tickvault} tool in a child JVM, as a person runs it: what it prints on its own
 * standard error (gRPC's logging included) and its exit code, and signals such as Ctrl-C's SIGINT.
 * Its standard output and error go to the files {@code out} and {@code err}.
 */
record CliProcess(Process process, Path out, Path err) {
  static CliProcess start(Path dir, Map<String, String> env, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // A test run started in the background (nohup, a shell's `&`) ignores SIGINT, and a JVM that
    // starts with SIGINT ignored never sees Ctrl-C: perl (in every Debian) restores it first.
    List<String> command = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die $!",
        java, "-cp", System.getProperty("java.class.path"), "io.tickvault.client.cli.TickvaultCli"));
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile(dir, "cli-", ".out");
      Path err = Files.createTempFile(dir, "cli-", ".err");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
      builder.environment().keySet().removeIf(name -> name.startsWith("TICKVAULT_"));
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      return new CliProcess(process, out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs to the end (at most a minute). */
  static Cli.Result run(Path dir, Map<String, String> env, String... args) {
    return start(dir, env, args).await();
  }

  long pid() {
    return process.pid();
  }

  /** Ctrl-C. */
  void interrupt() {
    try {
      new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String errSoFar() {
    try {
      return Files.readString(err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Cli.Result await() {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("tickvault did not finish within 60 s; stderr so far:\n" + errSoFar());
      }
      return new Cli.Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
