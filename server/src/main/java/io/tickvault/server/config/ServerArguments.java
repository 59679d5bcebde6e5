package io.tickvault.server.config;

import io.tickvault.api.Spelling;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The server's command line. What the server is configured with comes from the environment
 * ({@link ServerConfig}); the command line only says what the process does and how much it tells.
 * A word it does not know is refused rather than ignored: a mistyped {@code --reencrypt-api-keys}
 * would otherwise start a server.
 *
 * @param debug a start-up failure's stack trace, and tickvault's loggers at DEBUG
 */
public record ServerArguments(Action action, boolean debug) {
  /** What the process does, and the option that asks for it. */
  public enum Action {
    SERVE(null), REENCRYPT_API_KEYS("--reencrypt-api-keys"), VERSION("--version"), HELP("--help");

    private final String option;

    Action(String option) {
      this.option = option;
    }
  }

  /** A command line that cannot be run; the message names the word and what to do. */
  public static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** One option: its names, its line in the usage, and what it changes in the arguments read so far. */
  private record Option(List<String> names, String help, UnaryOperator<ServerArguments> apply) {}

  private static final List<Option> OPTIONS = List.of(
      new Option(List.of("--debug"), "a start-up failure's stack trace, and debug logging",
          read -> new ServerArguments(read.action, true)),
      new Option(List.of("--reencrypt-api-keys"),
          "re-encrypt the stored API key secrets under TICKVAULT_MASTER_KEY and exit (1: some undecryptable)",
          read -> read.doing(Action.REENCRYPT_API_KEYS)),
      new Option(List.of("--version"), "print the server's version and exit", read -> read.doing(Action.VERSION)),
      new Option(List.of("-h", "--help"), "print this help and exit", read -> read.doing(Action.HELP)));

  public static ServerArguments parse(String... args) {
    ServerArguments read = new ServerArguments(Action.SERVE, false);
    for (String arg : args) {
      read = option(arg).apply().apply(read);
    }
    return read;
  }

  /** The help text; its list of options is the table the parser reads. */
  public static String usage() {
    StringBuilder usage = new StringBuilder("""
        usage: java -jar tickvault-server.jar [--debug] [--reencrypt-api-keys | --version | --help]

        Serves tickvault's gRPC API until SIGTERM or SIGINT, configured by TICKVAULT_* environment
        variables (docs/operations.md).

        """);
    for (Option option : OPTIONS) {
      usage.append(String.format("  %-22s %s%n", String.join(", ", option.names()), option.help()));
    }
    return usage.append("""

        Exit codes: 0 stopped by a signal, or done; 1 could not start; 2 bad configuration or command line.
        """).toString();
  }

  private static Option option(String arg) {
    for (Option option : OPTIONS) {
      if (option.names().contains(arg)) {
        return option;
      }
    }
    if (!arg.startsWith("-")) {
      throw new UsageException("unexpected argument '" + arg
          + "': the server takes options only, and is configured by TICKVAULT_* variables; --help lists the options");
    }
    String meant = suggestion(arg).map(name -> " (did you mean " + name + "?)").orElse("");
    throw new UsageException("unknown option '" + arg + "'" + meant + "; --help lists the options");
  }

  /** The option the word begins, or else the one {@link Spelling} finds near it. */
  private static Optional<String> suggestion(String arg) {
    List<String> names = OPTIONS.stream().flatMap(option -> option.names().stream()).toList();
    for (String name : names) {
      if (arg.length() > 2 && name.startsWith(arg)) {
        return Optional.of(name);
      }
    }
    return Spelling.closest(arg, names);
  }

  private ServerArguments doing(Action next) {
    if (action != Action.SERVE && action != next) {
      throw new UsageException(next.option + " cannot be combined with " + action.option);
    }
    return new ServerArguments(next, debug);
  }
}
