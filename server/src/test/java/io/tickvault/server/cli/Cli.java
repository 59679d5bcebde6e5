package io.tickvault.server.cli;

import io.tickvault.client.cli.CliContext;
import io.tickvault.client.cli.TickvaultCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs the {@code tickvault} tool in this JVM with an environment of its own, capturing its output. */
final class Cli {
  private final Map<String, String> env = new HashMap<>();
  private boolean terminal;
  private byte[] stdin = new byte[0];
  private Clock clock = Clock.systemUTC();

  Cli env(String name, String value) {
    env.put(name, value);
    return this;
  }

  Cli terminal(boolean terminal) {
    this.terminal = terminal;
    return this;
  }

  /** The clock of progress lines and of "now" (the system's by default). */
  Cli clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  /** What {@code -} reads. */
  Cli stdin(String text) {
    this.stdin = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return this;
  }

  Result run(String... args) {
    CommandLine cli = TickvaultCli.commandLine(
        new CliContext(env, terminal, clock, new java.io.ByteArrayInputStream(stdin)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }
}
