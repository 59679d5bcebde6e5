package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command tree without a server: help everywhere, environment defaults, exit codes. */
class TickvaultCliTest {
  @Test
  void everyCommandAnswersHelpWithUsageAndExit0() {
    List<List<String>> paths = new ArrayList<>();
    collect(TickvaultCli.commandLine(context(Map.of())), new ArrayList<>(), paths);

    assertThat(paths).extracting(p -> String.join(" ", p))
        .contains("keys get", "keys put", "keys delete", "markets put-exchange", "markets put-pair",
            "markets list", "health");
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      StringWriter out = new StringWriter();
      CommandLine cli = TickvaultCli.commandLine(context(Map.of()));
      cli.setOut(new PrintWriter(out));
      int exit = cli.execute(args.toArray(String[]::new));
      assertThat(exit).as(String.join(" ", args)).isZero();
      assertThat(out.toString()).as(String.join(" ", args)).startsWith("Usage: tickvault");
    }
  }

  @Test
  void aNamedCommandGetsOnlyItsBranch_helpAndTyposGetTheWholeTree() {
    assertThat(TickvaultCli.commandLine(context(Map.of()), new String[] {"--debug", "health", "--target", "x:1"})
        .getSubcommands()).containsOnlyKeys("health");
    assertThat(TickvaultCli.commandLine(context(Map.of()), new String[] {"read", "trades"})
        .getSubcommands()).containsOnlyKeys("read");
    assertThat(TickvaultCli.commandLine(context(Map.of()), new String[] {"--help"}).getSubcommands())
        .containsKeys("keys", "markets", "health", "ingest", "read", "subscribe", "coverage", "feeds", "tokens",
            "whoami", "audit", "bench", "call", "describe", "completion", "help");
    assertThat(TickvaultCli.commandLine(context(Map.of()), new String[] {"helth"}).getSubcommands()).hasSize(17);
    assertThat(TickvaultCli.commandLine(context(Map.of()), new String[] {"help", "health"}).getSubcommands()).hasSize(17);

    // The branch alone behaves as in the whole tree: inherited options, defaults, help.
    StringWriter out = new StringWriter();
    CommandLine health = TickvaultCli.commandLine(context(Map.of()), new String[] {"health", "--help"});
    health.setOut(new PrintWriter(out));
    assertThat(health.execute("health", "--debug", "--help")).isZero();
    assertThat(out.toString()).startsWith("Usage: tickvault health");
  }

  @Test
  void connectionOptionsComeFromTheEnvironment_andFlagsWin() {
    Map<String, String> env = Map.of("TICKVAULT_TARGET", "dns:///tv.internal:50051", "TICKVAULT_TOKEN", "t0ken-from-env-123");

    ConnectionOptions fromEnv = parsed(env, "health");
    assertThat(fromEnv.target).isEqualTo("dns:///tv.internal:50051");
    assertThat(fromEnv.token).isEqualTo("t0ken-from-env-123");

    ConnectionOptions flags = parsed(env, "health", "--target", "10.0.0.1:1", "--token", "flag-token-12345");
    assertThat(flags.target).isEqualTo("10.0.0.1:1");
    assertThat(flags.token).isEqualTo("flag-token-12345");

    assertThat(parsed(Map.of(), "health").resolvedTarget()).isEqualTo("127.0.0.1:50051");
  }

  @Test
  void noCommand_isAUsageError() {
    StringWriter err = new StringWriter();
    CommandLine cli = TickvaultCli.commandLine(context(Map.of()));
    cli.setErr(new PrintWriter(err));

    assertThat(cli.execute()).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("a command is required");
  }

  @Test
  void exitCodesFollowTheGrpcStatus() {
    assertThat(ExitCodes.of(Status.UNAVAILABLE.asRuntimeException())).isEqualTo(3);
    assertThat(ExitCodes.of(Status.DEADLINE_EXCEEDED.asRuntimeException())).isEqualTo(3);
    assertThat(ExitCodes.of(Status.UNAUTHENTICATED.asRuntimeException())).isEqualTo(4);
    assertThat(ExitCodes.of(Status.PERMISSION_DENIED.asRuntimeException())).isEqualTo(4);
    assertThat(ExitCodes.of(Status.INVALID_ARGUMENT.asRuntimeException())).isEqualTo(5);
    assertThat(ExitCodes.of(Status.RESOURCE_EXHAUSTED.asRuntimeException())).isEqualTo(5);
    assertThat(ExitCodes.of(Status.INTERNAL.asRuntimeException())).isEqualTo(6);
    assertThat(ExitCodes.of(new IllegalArgumentException("--deadline: must be positive"))).isEqualTo(2);
  }

  private static ConnectionOptions parsed(Map<String, String> env, String... args) {
    CommandLine.ParseResult result = TickvaultCli.commandLine(context(env)).parseArgs(args);
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    return ((HealthCommand) result.commandSpec().userObject()).connection;
  }

  private static void collect(CommandLine command, List<String> path, List<List<String>> into) {
    for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
      if (sub.getKey().equals("help")) {
        continue;
      }
      List<String> subPath = new ArrayList<>(path);
      subPath.add(sub.getKey());
      into.add(subPath);
      collect(sub.getValue(), subPath, into);
    }
  }

  private static CliContext context(Map<String, String> env) {
    return new CliContext(env, false, Clock.systemUTC());
  }
}
