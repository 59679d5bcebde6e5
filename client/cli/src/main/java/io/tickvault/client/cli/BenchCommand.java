package io.tickvault.client.cli;

import io.grpc.Channel;
import io.tickvault.client.TickvaultClient;
import io.tickvault.client.bench.ApiKeyBench;
import io.tickvault.client.bench.CoverageBench;
import io.tickvault.client.bench.FleetBench;
import io.tickvault.client.bench.OrderBookBench;
import io.tickvault.client.bench.ReadBench;
import io.tickvault.client.bench.TradeBench;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tickvault bench …}: the project's benchmarks, each printing its ratio against its
 * reference (docs/benchmarks.md), measured in the same run on the same database. The measuring is
 * the benchmark classes' own (io.tickvault.client.bench); this command only connects and runs them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks against their references in the same run (a ratio of 1.0 means as fast "
        + "as the reference). Use a server and a database kept for benchmarks: the runs empty and "
        + "fill tables.",
    subcommands = {BenchCommand.Trades.class, BenchCommand.OrderBooks.class, BenchCommand.ApiKeys.class,
        BenchCommand.Read.class, BenchCommand.Fleet.class})
final class BenchCommand {
  /** The database option every benchmark needs for its reference. */
  static final class Database {
    @Option(names = "--database-url", required = true, paramLabel = "JDBC-URL",
        description = "The PostgreSQL the server writes to, for the reference (COPY, INSERT..SELECT), "
            + "e.g. jdbc:postgresql://127.0.0.1:5432/bench?user=postgres")
    String url;
  }

  /**
   * What every benchmark does: connect as the connection options say and run on that channel,
   * printing its figures to the command's output as they are measured.
   */
  abstract static class Run implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    abstract void run(Channel channel, PrintStream out) throws Exception;

    @Override
    public Integer call() throws Exception {
      try (TickvaultClient client = connection.connect(); PrintStream out = printStream(spec)) {
        run(client.channel(), out);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "trades", mixinStandardHelpOptions = true,
      description = "Trades end to end over StreamTrades against COPY … FROM STDIN of the same rows "
          + "(fresh), and a full replay against INSERT … SELECT … ON CONFLICT DO NOTHING (duplicates). "
          + "Empties the trades table of that database (but for --stored trades).")
  static final class Trades extends Run {
    @Mixin
    Database database;

    @Option(names = "--trades", paramLabel = "N", defaultValue = "200000", description = "Trades per round (default ${DEFAULT-VALUE}).")
    long trades;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "1", description = "Concurrent streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Rounds; the median ratio is printed (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--stored", paramLabel = "N", defaultValue = "0",
        description = "Trades of another market kept in the table through the run (made by SQL once, kept for the next run; "
            + "default ${DEFAULT-VALUE}): the cost of ingesting into a table that already holds N trades.")
    long stored;

    @Option(names = "--claims", paramLabel = "MARKETS", arity = "0..1", fallbackValue = "4", defaultValue = "0",
        description = "Instead: the same trades of MARKETS markets (4 if not given) over one stream with a coverage claim "
            + "per request per market, against without claims; prints their ratio.")
    int claimMarkets;

    @Override
    void run(Channel channel, PrintStream out) throws Exception {
      if (claimMarkets > 0) {
        CoverageBench.run(channel, database.url, trades, claimMarkets, rounds, out);
        return;
      }
      TradeBench.run(channel, database.url, trades, streams, rounds, stored, out);
    }
  }

  @Command(name = "orderbooks", mixinStandardHelpOptions = true,
      description = "Order book snapshots end to end over IngestOrderBooks against COPY … FROM STDIN "
          + "of the same header and level rows.")
  static final class OrderBooks extends Run {
    @Mixin
    Database database;

    @Option(names = "--snapshots", paramLabel = "N", defaultValue = "20000", description = "Snapshots per round (default ${DEFAULT-VALUE}).")
    int snapshots;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "20", description = "Price levels per side (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "1", description = "Concurrent streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    void run(Channel channel, PrintStream out) throws Exception {
      OrderBookBench.run(channel, database.url, snapshots, depth, streams, rounds, out);
    }
  }

  @Command(name = "api-keys", mixinStandardHelpOptions = true,
      description = "GetApiKeys served from the cache against grpc.health.v1.Health/Check on the same "
          + "server at the same concurrency (closed loop), then GetApiKeys at half its peak rate "
          + "(open loop) for latencies. Stores two keys for a bench user first (admin token, or a "
          + "server without authentication). Needs no database URL.")
  static final class ApiKeys extends Run {
    @Option(names = "--concurrency", paramLabel = "N", description = "Calls in flight (default "
        + "${DEFAULT-VALUE}).", defaultValue = "32")
    int concurrency;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "5", description = "Length of each phase (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5", description = "Warm-up seconds per call kind (default ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    void run(Channel channel, PrintStream out) throws Exception {
      ApiKeyBench.Options options = new ApiKeyBench.Options(
          concurrency, Duration.ofSeconds(seconds), rounds, Duration.ofSeconds(warmup));
      ApiKeyBench.run(channel, options, out);
    }
  }

  @Command(name = "read", mixinStandardHelpOptions = true,
      description = "Stores N trades of one bench market, then ReadTrades of all of them end to end (every "
          + "page decoded) against COPY (SELECT … ORDER BY trade_time_ms, trade_id) TO STDOUT of the same rows, "
          + "and GetMarketState against grpc.health.v1.Health/Check at the same concurrency. Replaces that "
          + "market's trades; leaves other markets alone.")
  static final class Read extends Run {
    @Mixin
    Database database;

    @Option(names = "--trades", paramLabel = "N", defaultValue = "1000000", description = "Trades stored and read (default ${DEFAULT-VALUE}).")
    long trades;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "0",
        description = "Trades per ReadTrades page; 0 (default) lets the server choose.")
    int pageSize;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "32",
        description = "Calls in flight for GetMarketState and Health/Check (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "5", description = "Length of each unary phase (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Rounds; the median ratio is printed (default ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    void run(Channel channel, PrintStream out) throws Exception {
      ReadBench.Options options = new ReadBench.Options(trades, pageSize, rounds, concurrency, Duration.ofSeconds(seconds));
      ReadBench.run(channel, database.url, options, out);
    }
  }

  @Command(name = "fleet", mixinStandardHelpOptions = true,
      description = "Many small StreamTrades streams at once, one market each (made first by PutExchange and "
          + "PutCurrencyPair): per request the time from its send to its ack, every ack counted, the schedule "
          + "kept, this client's CPU, and with --server-pid the server's RSS and threads against the goals "
          + "(docs/benchmarks.md). With --idle the streams send one request each, then stay open and silent. "
          + "Plaintext only (a bench server on this machine).")
  static final class Fleet implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "500", description = "Concurrent streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "4", description = "Requests a second per stream (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--trades-per-request", paramLabel = "K", defaultValue = "5", description = "Trades a request (default ${DEFAULT-VALUE}).")
    int tradesPerRequest;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "30", description = "Seconds measured (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5", description = "Seconds at the same rate before, not measured (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--connections", paramLabel = "C", defaultValue = "8", description = "Connections the streams are spread over (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--server-pid", paramLabel = "PID", defaultValue = "0",
        description = "The server's process on this machine: its VmRSS, threads and CPU are read from /proc.")
    long serverPid;

    @Option(names = "--idle", description = "Open the streams, one request each, then hold them silent for --seconds.")
    boolean idle;

    @Override
    public Integer call() throws Exception {
      String target = connection.resolvedTarget();
      ConnectionOptions.checkTarget(target);
      FleetBench.Options options = new FleetBench.Options(streams, rate, tradesPerRequest, seconds, warmup, connections,
          serverPid, idle);
      try (PrintStream out = printStream(spec)) {
        FleetBench.run(target, connection.resolvedToken(), options, out);
      }
      return ExitCodes.OK;
    }
  }

  /**
   * The command's output as the PrintStream the benchmark classes print to, line by line, so the
   * figures appear as they are measured and in-JVM tests capture them.
   */
  static PrintStream printStream(CommandSpec spec) {
    PrintWriter writer = spec.commandLine().getOut();
    OutputStream lines = new OutputStream() {
      private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

      @Override
      public void write(int b) {
        line.write(b);
        if (b == '\n') {
          flush();
        }
      }

      @Override
      public void flush() {
        writer.print(line.toString(StandardCharsets.UTF_8));
        writer.flush();
        line.reset();
      }
    };
    return new PrintStream(lines, true, StandardCharsets.UTF_8);
  }
}
