package io.tickvault.client.cli;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The training run of the launcher's class-data archive (client/bin/tickvault): runs the CLI
 * in-JVM the way a user does, against a throw-away server of its own on loopback, so that the JVM
 * lists every class a successful call loads (picocli, the command, gRPC's and Netty's call path,
 * protobuf), and the launcher dumps them into an archive that later runs map instead of reading and
 * verifying them from the jar. A call that succeeds loads about a hundred classes more than one
 * refused at a closed port, so training on a real answer is what makes {@code tickvault health}
 * fast (docs/benchmarks.md, "CLI start-up").
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
      // A service this server does not have: the error path of a unary call and its message.
      run("markets", "list", "--target", target);
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
