package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

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

  /** A tool whose TICKVAULT_TARGET is this port on loopback, where the tests' servers listen. */
  static Cli atPort(int port) {
    return new Cli().env("TICKVAULT_TARGET", "127.0.0.1:" + port);
  }

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

  /**
   * Registers exchange 1 (binance) and its pair 1 (BTC/USDT), the market most tests write to,
   * failing the test when the server refuses either.
   */
  Cli registerBinanceBtcUsdt() {
    ok(run("markets", "put-exchange", "--exchange-id", "1", "--code", "binance"));
    ok(run("markets", "put-pair", "--exchange-id", "1", "--pair-no", "1", "--base", "BTC", "--quote", "USDT"));
    return this;
  }

  /** Fails the test unless the run exited 0, showing its output. */
  static void ok(Result result) {
    assertThat(result.exitCode()).as(result.toString()).isZero();
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
