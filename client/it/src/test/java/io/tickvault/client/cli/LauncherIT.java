package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code client/bin/tickvault}, the CLI's launcher, run as a person runs it, on the CLI's jar that
 * the build made ({@code client/target/tickvault.jar}): its first run makes the class-data archive,
 * and later runs map picocli's, gRPC's and the CLI's classes (a call's, and ingest's CSV reader)
 * from it instead of the jar.
 */
class LauncherIT {
  // Tests run in client/it: the launcher and the jar are client/bin/tickvault and client/target/tickvault.jar.
  private static final Path LAUNCHER = Path.of("..", "bin", "tickvault").toAbsolutePath().normalize();
  private static final Path JAR = Path.of("..", "target", "tickvault.jar").toAbsolutePath().normalize();

  @RegisterExtension
  static TestServer server = TestServer.netty();

  @TempDir
  Path dir;

  @Test
  void theFirstRunMakesTheArchive_andTheNextMapsTheCallsClassesFromIt() throws Exception {
    assertThat(JAR).as("the CLI's jar, made by ./mvnw package of client/cli").isRegularFile();

    Cli.Result first = launch("", "health");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out()).isEqualTo("SERVING\n");
    try (Stream<Path> files = Files.list(dir.resolve("cache").resolve("tickvault"))) {
      assertThat(files.map(file -> file.getFileName().toString()).toList())
          .as("one archive, no training leftovers").singleElement().asString().endsWith(".jsa");
    }

    // -Xshare:on (after the launcher's -Xshare:auto) makes the JVM refuse to start without it.
    Cli.Result second = launch("-Xshare:on -Xlog:class+load=info", "health");
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.out()).contains("SERVING\n")
        .contains("picocli.CommandLine source: shared objects file")
        .contains("io.tickvault.client.cli.HealthCommand source: shared objects file")
        .contains("io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler source: shared objects file")
        .contains("io.grpc.health.v1.HealthCheckResponse source: shared objects file");

    // The training ingests too: the CSV reader and the stream writer come from the archive.
    Path csv = dir.resolve("trades.csv");
    Files.writeString(csv, "exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms\n"
        + "9,9,launcher-1,1.5,2,1700000000000\n");
    Cli.Result ingest = launch("-Xshare:on -Xlog:class+load=info", "ingest", "trades", csv.toString());
    assertThat(ingest.exitCode()).as("the market is not registered: one rejection\n" + ingest).isEqualTo(1);
    assertThat(ingest.out())
        .contains("io.tickvault.client.cli.TradeCsvSource source: shared objects file")
        .contains("io.tickvault.client.TradeStreamWriter source: shared objects file");
  }

  private Cli.Result launch(String javaOptions, String... args) throws IOException, InterruptedException {
    List<String> command = Stream.concat(Stream.of("bash", LAUNCHER.toString()), Stream.of(args)).toList();
    Path out = Files.createTempFile(dir, "launcher-", ".out");
    Path err = Files.createTempFile(dir, "launcher-", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("TICKVAULT_"));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    builder.environment().put("TICKVAULT_JAR", JAR.toString());
    builder.environment().put("TICKVAULT_TARGET", "127.0.0.1:" + server.port());
    builder.environment().put("TICKVAULT_JAVA_OPTS", javaOptions);
    Process process = builder.start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("the launcher did not finish within 120 s: " + Files.readString(err));
    }
    return new Cli.Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
