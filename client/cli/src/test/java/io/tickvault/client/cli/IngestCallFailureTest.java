package io.tickvault.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.StreamTradesRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tickvault ingest trades} when its call fails for good after records were committed,
 * against a stand-in IngestService on a real port that acknowledges two requests and then refuses
 * the call (PERMISSION_DENIED, which is not retried).
 */
class IngestCallFailureTest {
  @TempDir
  Path dir;

  private Server server;

  private static final class AcknowledgesTwoThenRefuses extends IngestServiceGrpc.IngestServiceImplBase {
    @Override
    public StreamObserver<StreamTradesRequest> streamTrades(StreamObserver<IngestTradesAck> acks) {
      return new StreamObserver<>() {
        private int requests;

        @Override
        public void onNext(StreamTradesRequest request) {
          if (requests == 2) {
            acks.onError(Status.PERMISSION_DENIED.withDescription("token revoked").asRuntimeException());
          } else if (requests < 2) {
            acks.onNext(IngestTradesAck.newBuilder().setRequestIndex(requests).setReceived(request.getTradesCount())
                .setInserted(request.getTradesCount()).build());
          }
          requests++;
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new AcknowledgesTwoThenRefuses())
        .build().start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void aCallRefusedAfterTwoBatches_saysWhatWasCommittedAndTheSkip_thenTheError() throws Exception {
    List<String> lines = new ArrayList<>(List.of("exchange_id,currency_pair_no,trade_id,price,quantity,trade_time_ms"));
    for (int i = 0; i < 5_000; i++) {
      lines.add("1,1,f-" + i + ",1,1,1764115200000");
    }
    Path file = Files.write(dir.resolve("trades.csv"), lines);

    CommandLine cli = TickvaultCli.commandLine(new CliContext(Map.of("TICKVAULT_TARGET", "127.0.0.1:" + server.getPort()),
        false, Clock.systemUTC()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute("ingest", "trades", file.toString(), "--batch-size", "1000");

    assertThat(exitCode).as(err.toString()).isEqualTo(ExitCodes.AUTH);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).containsPattern("(?m)^stopped: at least 2,000 of [3-5],000 trades committed \\(the calls "
        + "failed: the count may be low\\); rerun with --skip 2000 to resume \\(or rerun as is: committed trades count as "
        + "duplicates\\)\\ntickvault: PERMISSION_DENIED: token revoked");
  }
}
