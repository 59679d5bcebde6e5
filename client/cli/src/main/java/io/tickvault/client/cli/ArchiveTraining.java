package io.tickvault.client.cli;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The training run of the launcher's class-data archive (client/bin/tickvault): runs the CLI
 * in-JVM the way a user does, against a throw-away server of its own on loopback, so that the JVM
 * lists every class a successful call loads (picocli, the command, gRPC's and Netty's call path,
 * protobuf, the CSV reader of {@code ingest}), and the launcher dumps them into an archive that
 * later runs map instead of reading and verifying them from the jar. A call that succeeds loads
 * about a hundred classes more than one refused at a closed port, so training on a real answer is
 * what makes {@code tickvault health} fast (bench/cli-startup.sh measures it).
 */
public final class ArchiveTraining {
  private ArchiveTraining() {}

  public static void main(String[] args) throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(health.getHealthService())
        .build()
        .start();
    try {
      String target = "127.0.0.1:" + server.getPort();
      run("health", "--target", target);
      // Services this server does not have: the error path of a unary call and its message, and
      // of a stream after its first request, with the CSV reader that `ingest` spends its time in.
      run("markets", "list", "--target", target);
      Path csv = Files.createTempFile("tickvault-training", ".csv");
      try {
        Files.writeString(csv, "exchange_id,currency_pair_no,trade_id,price,quantity,taker_side,trade_time_ms,receive_time_ms\n"
            + "1,1,t-1,27000.50,0.015,BUY,1700000000000,1700000000001\n");
        run("ingest", "trades", csv.toString(), "--target", target);
      } finally {
        Files.delete(csv);
      }
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    // gRPC releases its shared server threads a second after the server ends: do not wait for it.
    System.exit(0);
  }

  private static void run(String... args) {
    CliContext context = new CliContext(Map.of(), false, Clock.systemUTC(), InputStream.nullInputStream());
    CommandLine cli = TickvaultCli.commandLine(context, args);
    cli.setOut(new PrintWriter(Writer.nullWriter()));
    cli.setErr(new PrintWriter(Writer.nullWriter()));
    cli.execute(args);
  }
}
