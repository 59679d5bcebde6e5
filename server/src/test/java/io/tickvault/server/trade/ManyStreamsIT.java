package io.tickvault.server.trade;

import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static io.tickvault.server.trade.TradeCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.Responses;
import io.tickvault.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many small StreamTrades streams at once on one connection, as a fleet of workers sends them: the
 * server writes their batches together (docs/ingestion.md#group-commit), and each stream still
 * gets its own acks, exact and in order, its records written in its order; a stream that goes
 * quiet and resumes is served; one that never sends is ended by the idle timeout (2 s here, the
 * production default being minutes).
 */
class ManyStreamsIT {
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
  private static final int EXCHANGE = 7;
  private static final int STREAMS = 40;
  private static final int REQUESTS = 25;
  /** A market that the first two streams both write, the same keys in the same requests. */
  private static final int SHARED_PAIR = 100;

  @RegisterExtension
  static TestServer server = TestServer.netty().configure(b -> b.streamIdleTimeout(IDLE_TIMEOUT));

  private ManagedChannel channel;

  @BeforeEach
  void setUp() {
    server.database().truncate("trades", "trade_candles_1m", "trade_commit_log", "market_commit_seq");
    int[] pairs = new int[STREAMS + 1];
    for (int s = 0; s < STREAMS; s++) {
      pairs[s] = s + 1;
    }
    pairs[STREAMS] = SHARED_PAIR;
    registerMarket(server.channel(), EXCHANGE, pairs);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build(); // one connection
  }

  @AfterEach
  void closeChannel() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /**
   * Request m of stream s: three fresh trades of its market; every fifth request also the first
   * trade of the request before it again (a duplicate: that request was written first); every
   * seventh a trade with a bad price (rejected on its own); the first two streams also one trade
   * of the shared market, the same key on both.
   */
  private static List<Trade> request(int s, int m) {
    List<Trade> trades = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      trades.add(trade(EXCHANGE, s + 1, m + "-" + i, (100 + m) + "." + i, "0.5"));
    }
    if (m % 5 == 4) {
      trades.add(trade(EXCHANGE, s + 1, (m - 1) + "-0", "1", "1"));
    }
    if (m % 7 == 3) {
      trades.add(trade(EXCHANGE, s + 1, m + "-bad", "-1", "1"));
    }
    if (s < 2) {
      trades.add(trade(EXCHANGE, SHARED_PAIR, "shared-" + m, "5", "1"));
    }
    return trades;
  }

  @Test
  void manyStreamsInterleavingOnOneConnection_eachGetsExactAcksInOrder_andItsRecordsWrittenInItsOrder() throws Exception {
    List<Responses<IngestTradesAck>> acks = new ArrayList<>();
    List<StreamObserver<StreamTradesRequest>> streams = new ArrayList<>();
    for (int s = 0; s < STREAMS; s++) {
      Responses<IngestTradesAck> responses = new Responses<>();
      acks.add(responses);
      streams.add(IngestServiceGrpc.newStub(channel).streamTrades(responses));
    }
    for (int m = 0; m < REQUESTS; m++) { // request m of every stream, then m + 1: interleaved on the connection
      for (int s = 0; s < STREAMS; s++) {
        streams.get(s).onNext(StreamTradesRequest.newBuilder().addAllTrades(request(s, m)).build());
      }
    }
    streams.forEach(StreamObserver::onCompleted);

    long sharedInserted = 0;
    for (int s = 0; s < STREAMS; s++) {
      List<IngestTradesAck> got = acks.get(s).all().get(60, TimeUnit.SECONDS);
      assertThat(got).as("stream %d", s).hasSize(REQUESTS);
      long firstIndex = 0;
      for (int m = 0; m < REQUESTS; m++) {
        IngestTradesAck ack = got.get(m);
        List<Trade> sent = request(s, m);
        int duplicates = m % 5 == 4 ? 1 : 0;
        int rejected = m % 7 == 3 ? 1 : 0;
        int shared = s < 2 ? 1 : 0;
        assertThat(ack.getRequestIndex()).as("stream %d ack %d", s, m).isEqualTo(m);
        assertThat(ack.getReceived()).isEqualTo(sent.size());
        assertThat(ack.getRejected()).isEqualTo(rejected);
        assertThat(ack.getInserted() + ack.getDuplicates()).isEqualTo(sent.size() - rejected);
        assertThat(ack.getInserted()).as("stream %d request %d", s, m).isBetween(3L, 3L + shared);
        assertThat(ack.getDuplicates()).isBetween((long) duplicates, (long) duplicates + shared);
        sharedInserted += ack.getInserted() - 3;
        if (rejected == 1) {
          int bad = 3 + duplicates; // its place in the request
          assertThat(ack.getRejectionsList()).extracting(RejectedRecord::getIndex).containsExactly(firstIndex + bad);
        }
        firstIndex += sent.size();
      }
    }
    assertThat(sharedInserted).as("each shared key inserted by exactly one of the two streams").isEqualTo(REQUESTS);

    var jdbc = server.database().jdbc();
    assertThat(jdbc.query("SELECT currency_pair_no, count(*) FROM trades WHERE exchange_id = ? GROUP BY 1 ORDER BY 1",
        row -> row.getInt(1) + ":" + row.getLong(2), EXCHANGE)).hasSize(STREAMS + 1)
        .allMatch(row -> row.endsWith(":" + REQUESTS * 3) || row.equals(SHARED_PAIR + ":" + REQUESTS));
    // The first write of a key stands, in stream order: the repeats were duplicates, never re-inserted.
    assertThat(jdbc.queryOne("SELECT count(*) FROM trades WHERE price = 1", row -> row.getLong(1)).orElseThrow()).isZero();
    // Each market's candle and commit log hold each of its trades once, whatever transaction held it.
    assertThat(jdbc.query("SELECT currency_pair_no, sum(trade_count) FROM trade_candles_1m GROUP BY 1",
        row -> row.getInt(1) + ":" + row.getLong(2)))
        .hasSize(STREAMS + 1).allMatch(row -> row.endsWith(":" + REQUESTS * 3) || row.equals(SHARED_PAIR + ":" + REQUESTS));
    assertThat(jdbc.query("SELECT currency_pair_no, sum(trade_count), count(*), max(commit_seq) FROM trade_commit_log GROUP BY 1",
        row -> row.getInt(1) + ":" + row.getLong(2) + (row.getLong(3) == row.getLong(4) ? "" : " seqs with holes")))
        .hasSize(STREAMS + 1).allMatch(row -> row.endsWith(":" + REQUESTS * 3) || row.equals(SHARED_PAIR + ":" + REQUESTS));
  }

  @Test
  void aStreamThatGoesQuietAndResumes_isServed_whileOneThatNeverSends_isEndedByTheIdleTimeout() throws Exception {
    Responses<IngestTradesAck> never = new Responses<>();
    IngestServiceGrpc.newStub(channel).streamTrades(never); // opened, nothing ever sent

    Responses<IngestTradesAck> quiet = new Responses<>();
    StreamObserver<StreamTradesRequest> requests = IngestServiceGrpc.newStub(channel).streamTrades(quiet);
    long quietNanos = IDLE_TIMEOUT.toNanos() * 3 / 5;
    for (int m = 0; m < 4; m++) {
      requests.onNext(StreamTradesRequest.newBuilder().addAllTrades(request(2, m)).build());
      while (quiet.values().size() <= m) {
        Thread.sleep(10);
      }
      // Quiet for 0.6 of the idle timeout after each ack: 2.4 timeouts in all, never one at a stretch.
      TimeUnit.NANOSECONDS.sleep(quietNanos);
    }
    requests.onCompleted();

    assertThat(quiet.all().get(30, TimeUnit.SECONDS)).extracting(IngestTradesAck::getRequestIndex)
        .containsExactly(0L, 1L, 2L, 3L);
    Status ended = Status.fromThrowable(catchThrowable(() -> never.all().get(30, TimeUnit.SECONDS)));
    assertThat(ended.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(ended.getDescription()).startsWith("no request for 2 s: the stream is ended");
    assertThat(never.values()).isEmpty();
  }
}
