package io.tickvault.client.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tickvault completion}: the shell completion script picocli generates from the command tree. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = "Prints a completion script for bash and zsh. Load it in the running shell with "
        + "'source <(tickvault completion)', or for good with "
        + "'tickvault completion > /etc/bash_completion.d/tickvault' (zsh: run 'autoload -U +X bashcompinit "
        + "&& bashcompinit' first).")
final class CompletionCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("tickvault", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
