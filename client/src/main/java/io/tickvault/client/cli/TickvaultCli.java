package io.tickvault.client.cli;

import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tickvault}: the command-line tool for operators and for scripts. Run as
 * {@code java -jar client/target/tickvault.jar --help}.
 */
@Command(name = "tickvault",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Talk to a tickvault server: API keys, markets, health, ingestion of trade and "
        + "order book files, reading them back, benchmarks.",
    subcommands = {
        KeysCommand.class,
        MarketsCommand.class,
        HealthCommand.class,
        IngestCommand.class,
        ReadCommand.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0  done (health: SERVING)",
        "  1  some records were rejected (ingest)",
        "  2  usage: bad arguments or unreadable input file",
        "  3  server unavailable, timed out, or not SERVING",
        "  4  not authenticated or not allowed",
        "  5  the server refused the request (invalid argument, not found, too large...)",
        "  6  any other error",
        "",
        "Environment: TICKVAULT_TARGET, TICKVAULT_TOKEN, TICKVAULT_TLS, TICKVAULT_TLS_CA,",
        "TICKVAULT_TLS_CLIENT_CERT, TICKVAULT_TLS_CLIENT_KEY, TICKVAULT_AUTHORITY."})
public final class TickvaultCli implements Runnable {
  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    CommandLine cli = commandLine(CliContext.ofProcess());
    System.exit(cli.execute(args));
  }

  /**
   * The whole command tree with its exit code mapping, writing to System.out/err until the caller
   * sets other writers ({@code setOut}, {@code setErr}); tests run it in-JVM this way.
   */
  public static CommandLine commandLine(CliContext context) {
    CommandLine cli = new CommandLine(new TickvaultCli(), new ContextFactory(context));
    cli.setDefaultValueProvider(new EnvironmentDefaults(context.env()));
    cli.setExecutionExceptionHandler((failure, command, parseResult) -> {
      PrintWriter err = command.getErr();
      err.println("tickvault: " + describe(failure));
      err.flush();
      return ExitCodes.of(failure);
    });
    return cli;
  }

  static String describe(Throwable failure) {
    if (failure instanceof StatusRuntimeException) {
      io.grpc.Status status = ((StatusRuntimeException) failure).getStatus();
      String what = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
      switch (status.getCode()) {
        case UNAVAILABLE:
          return what + " (is the server running at the target, with the same TLS setting?)";
        case UNAUTHENTICATED:
          return what + " (set --token or TICKVAULT_TOKEN)";
        case PERMISSION_DENIED:
          return what + " (this call needs an admin token)";
        default:
          return what;
      }
    }
    return failure.getMessage() == null ? failure.toString() : failure.getMessage();
  }

  @Override
  public void run() {
    // "tickvault" alone: say what there is instead of doing nothing.
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** Makes command objects, handing the context to those whose constructor takes it. */
  private static final class ContextFactory implements IFactory {
    private final CliContext context;

    ContextFactory(CliContext context) {
      this.context = context;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        return type.getDeclaredConstructor(CliContext.class).newInstance(context);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      }
    }
  }
}
