package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code tickvault bench fleet} against a real server of its own (its trades would stop
 * {@code bench trades}, which wants a table of its own market only). Tiny sizes: this checks that
 * every ack is counted and the figures come out, not speed.
 */
class BenchFleetIT {
  @RegisterExtension
  static TestServer server = TestServer.netty();

  @Test
  void benchFleet_countsAnAckForEveryRequestSent() {
    Cli.Result result = new Cli().run("bench", "fleet", "--target", "127.0.0.1:" + server.port(), "--streams", "6",
        "--rate", "10", "--trades-per-request", "3", "--seconds", "1", "--warmup", "0", "--connections", "2",
        "--server-pid", Long.toString(ProcessHandle.current().pid()));

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).as(result.out()).contains("acks: 60 of 60 requests sent (60 asked) acknowledged; 0 ack(s)"
        + " with other counts than sent; 0 stream(s) failed");
    assertThat(result.out()).containsPattern("ack latency \\(send to ack\\), 60 measured requests: p50 \\d+\\.\\d ms");
    assertThat(result.out()).containsPattern("server: peak RSS [1-9][\\d,]* MiB");
  }

  @Test
  void benchFleetIdle_holdsTheStreamsOpenAndSilent() {
    Cli.Result result = new Cli().run("bench", "fleet", "--target", "127.0.0.1:" + server.port(), "--idle",
        "--streams", "5", "--seconds", "1", "--connections", "2");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).as(result.out()).contains("(5 of them), then silent for 1 s; 5 still open at the end");
  }
}
