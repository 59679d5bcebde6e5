package io.tickvault.client.cli;

import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
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
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0  done (health: SERVING)",
        "  1  some records were rejected (ingest)",
        "  2  usage: bad arguments or unreadable input file; nothing was sent",
        "  3  server unavailable, timed out, or not SERVING",
        "  4  not authenticated or not allowed",
        "  5  the server refused the request (invalid argument, not found, too large...)",
        "  6  any other error",
        "  7  coverage: the range has holes",
        "  8  ingest: the file could not be read to its end (what was committed, and the --skip to resume, are printed)",
        "  130  interrupted by Ctrl-C (ingest: what was committed is printed)",
        "",
        "Environment: TICKVAULT_TARGET, TICKVAULT_TOKEN, TICKVAULT_TLS, TICKVAULT_TLS_CA,",
        "TICKVAULT_TLS_CLIENT_CERT, TICKVAULT_TLS_CLIENT_KEY, TICKVAULT_AUTHORITY, TICKVAULT_PROFILE.",
        "Config file: $XDG_CONFIG_HOME/tickvault/config or ~/.config/tickvault/config (key = value",
        "lines: target, token, tls, tls-ca, tls-cert, tls-key, authority; [NAME] sections are profiles)."})
public final class TickvaultCli implements Runnable {
  /** The commands, in the order the help lists them (added in {@link #commandLine(CliContext, String[])}). */
  private static final List<Class<?>> COMMANDS = List.of(
      KeysCommand.class,
      MarketsCommand.class,
      HealthCommand.class,
      IngestCommand.class,
      ReadCommand.class,
      SubscribeCommand.class,
      CoverageCommand.Get.class,
      CoverageCommand.ListFeeds.class,
      RetentionCommand.class,
      TokensCommand.class,
      TokensCommand.WhoAmI.class,
      AuditCommand.class,
      BenchCommand.class,
      CallCommand.class,
      DescribeCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class);

  @Spec
  CommandSpec spec;

  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "On an error, print its stack trace too, and let gRPC log what it sees.")
  boolean debug;

  /** Kept so that the level set in main stays set (loggers are held weakly). */
  private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

  public static void main(String[] args) {
    // gRPC logs a failed name resolution or handshake with its stack trace; the command says what
    // went wrong in one line instead. --debug keeps gRPC's own logging.
    if (!java.util.Arrays.asList(args).contains("--debug")) {
      GRPC_LOG.setLevel(java.util.logging.Level.OFF);
    }
    CommandLine cli = commandLine(CliContext.ofProcess(), args);
    System.exit(cli.execute(args));
  }

  /**
   * The whole command tree with its exit code mapping, writing to System.out/err until the caller
   * sets other writers ({@code setOut}, {@code setErr}); tests run it in-JVM this way.
   */
  public static CommandLine commandLine(CliContext context) {
    return commandLine(context, new String[0]);
  }

  /**
   * The tree for running {@code args}: when they name a command, only that command's branch.
   * picocli reads every command's annotations when it is added, and the whole tree cost about
   * 0.3 s of CPU per run, most of what {@code tickvault health} spent (bench/cli-startup.sh).
   * Help, completion and a mistyped command get the whole tree.
   */
  static CommandLine commandLine(CliContext context, String[] args) {
    ContextFactory factory = new ContextFactory(context);
    CommandLine cli = new CommandLine(new TickvaultCli(), factory);
    String named = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
    boolean known = COMMANDS.stream().anyMatch(c -> name(c).equals(named));
    boolean whole = !known || named.equals("help") || named.equals("completion");
    for (Class<?> command : COMMANDS) {
      if (whole || name(command).equals(named)) {
        cli.addSubcommand(name(command), command);
      }
    }
    cli.setDefaultValueProvider(new EnvironmentDefaults(context.env()));
    cli.setExecutionStrategy(parseResult -> {
      PrintWriter err = cli.getErr();
      EnvironmentDefaults.misspellings(context.env()).forEach(err::println);
      err.flush();
      return new CommandLine.RunLast().execute(parseResult);
    });
    cli.setExecutionExceptionHandler((failure, command, parseResult) -> {
      PrintWriter err = command.getErr();
      Object connection = command.getCommandSpec().mixins().containsKey("connection")
          ? command.getCommandSpec().mixins().get("connection").userObject() : null;
      err.println("tickvault: " + describe(failure, connection instanceof ConnectionOptions c ? c : null));
      if (anyDebug(parseResult)) {
        failure.printStackTrace(err);
      }
      err.flush();
      return ExitCodes.of(failure);
    });
    return cli;
  }

  private static String name(Class<?> command) {
    return command.getAnnotation(Command.class).name();
  }

  static String describe(Throwable failure) {
    return describe(failure, null);
  }

  /**
   * One line that says what went wrong and what to do, never a stack trace: the connection's
   * failures (no TLS where TLS was asked, an unknown host, a port with nothing or no gRPC behind it)
   * are told apart by their causes, since gRPC reports them all as UNAVAILABLE "io exception".
   */
  static String describe(Throwable failure, ConnectionOptions connection) {
    if (failure instanceof StatusRuntimeException) {
      io.grpc.Status status = ((StatusRuntimeException) failure).getStatus();
      String target = connection == null ? "the target" : connection.resolvedTarget();
      String transport = transportProblem(status, target, connection != null && connection.usesTls());
      if (transport != null) {
        return transport;
      }
      String description = status.getDescription() == null ? "" : status.getDescription().lines().findFirst().orElse("");
      String what = status.getCode() + (description.isEmpty() ? "" : ": " + description);
      switch (status.getCode()) {
        case UNAVAILABLE:
          return what + " (is the server running at " + target + ", with the same TLS setting?)";
        case UNAUTHENTICATED:
          return what + " (set --token or TICKVAULT_TOKEN)";
        case PERMISSION_DENIED:
          return what + " (this token lacks the permission or the scope; tickvault whoami shows what it has)";
        default:
          return what;
      }
    }
    return failure.getMessage() == null ? failure.toString() : failure.getMessage();
  }

  /** A status in a few words, for a line among others (a reconnect): the transport problem, or CODE: description. */
  static String brief(io.grpc.Status status, String target) {
    for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.ConnectException) {
        return "connection refused by " + target;
      }
    }
    return status.getCode() + (status.getDescription() == null ? "" : ": " + firstLine(status.getDescription()));
  }

  private static String transportProblem(io.grpc.Status status, String target, boolean tls) {
    for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
      String name = cause.getClass().getSimpleName();
      if (cause instanceof java.net.UnknownHostException) {
        return "unknown host in --target " + target + " (" + cause.getMessage() + "): check the name";
      }
      if (cause instanceof java.net.ConnectException) {
        return "nothing listens at " + target + " (connection refused): is the server running, and is that its gRPC port?";
      }
      if (name.equals("NotSslRecordException") || (cause instanceof javax.net.ssl.SSLException && tls)) {
        String reason = firstLine(cause.getMessage());
        if (reason.startsWith("not an SSL/TLS record")) {
          reason = "not an SSL/TLS record"; // followed by the bytes in hex
        }
        return "TLS handshake with " + target + " failed (" + reason
            + "): the server may not use TLS; drop --tls/--tls-ca (and TICKVAULT_TLS*), or check the CA";
      }
    }
    String description = status.getDescription() == null ? "" : status.getDescription();
    if (status.getCode() == io.grpc.Status.Code.INTERNAL && description.startsWith("http2 exception")) {
      return target + " did not answer as a gRPC server (" + firstLine(description) + "): is that the metrics port? "
          + "gRPC listens on the server's TICKVAULT_GRPC_PORT (default 50051)";
    }
    if (status.getCode() == io.grpc.Status.Code.UNAVAILABLE && !tls
        && (description.contains("Network closed for unknown reason") || description.contains("first received frame was not SETTINGS")
            || connectionReset(status.getCause()))) {
      return target + " closed the connection before answering: if the server uses TLS, add --tls or --tls-ca FILE";
    }
    return null;
  }

  /** A TLS server that gets plaintext may answer with an alert and a reset (seen on NIO sockets). */
  private static boolean connectionReset(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.io.IOException && firstLine(cause.getMessage()).contains("Connection reset")) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyDebug(CommandLine.ParseResult result) {
    for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.matchedOption("--debug") != null) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String text) {
    return text == null ? "" : text.lines().findFirst().orElse("");
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
