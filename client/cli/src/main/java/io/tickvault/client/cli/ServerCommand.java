package io.tickvault.client.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that calls the server and prints its result as text or JSON: the connection and output
 * mixins it shares with every such command, and its standard output.
 */
abstract class ServerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Mixin
  OutputOptions output;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Prints a yes/no result as {@link Json#outcome} words it; the exit code is OK either way. */
  int printOutcome(String yes, boolean value, String no) {
    out().println(Json.outcome(output, yes, value, no));
    return ExitCodes.OK;
  }
}
