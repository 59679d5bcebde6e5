package io.tickvault.server.trade;

import static io.tickvault.server.trade.TradeCalls.countTrades;
import static io.tickvault.server.trade.TradeCalls.ingest;
import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static io.tickvault.server.trade.TradeCalls.storedTrades;
import static io.tickvault.server.trade.TradeCalls.stream;
import static io.tickvault.server.trade.TradeCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.RejectedRecord;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IngestTradesIT {
  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  @BeforeEach
  void setUp() {
    server.database().truncate("trades", "currency_pairs", "exchanges CASCADE");
    registerMarket(server.channel(), 1, 1, 2);
  }

  @Test
  void ingestTrades_storesEveryValidTradeAndCountsExactly() {
    IngestTradesResponse response = ingest(server.channel(), List.of(
        List.of(trade(1, 1, "a", "64250.5", "0.00001234"), trade(1, 2, "a", "3100", "2.5")),
        List.of(trade(1, 1, "b", "64251", "1"))));

    assertThat(response.getReceived()).isEqualTo(3);
    assertThat(response.getInserted()).isEqualTo(3);
    assertThat(response.getDuplicates()).isZero();
    assertThat(response.getRejected()).isZero();
    assertThat(storedTrades(server.database().jdbc())).containsExactly(
        "1/1/a 64250.5 0.00001234 1 " + TradeCalls.TIME + " " + (TradeCalls.TIME + 5),
        "1/1/b 64251 1 1 " + TradeCalls.TIME + " " + (TradeCalls.TIME + 5),
        "1/2/a 3100 2.5 1 " + TradeCalls.TIME + " " + (TradeCalls.TIME + 5));
  }

  @Test
  void aTradeRefusedForAnUnregisteredMarket_isAcceptedRightAfterPutCurrencyPair() {
    // Pair 42: no other test uses it, and a pair once known stays known for the server's life.
    List<List<Trade>> requests = List.of(List.of(trade(1, 42, "a", "1", "1")));
    assertThat(ingest(server.channel(), requests).getRejected()).isEqualTo(1);

    registerMarket(server.channel(), 1, 42); // the miss the server remembers is dropped at once

    assertThat(ingest(server.channel(), requests).getInserted()).isEqualTo(1);
  }

  @Test
  void replayedStream_isAllDuplicates_andTheTableIsUnchanged() {
    List<List<Trade>> requests = List.of(
        List.of(trade(1, 1, "a", "1.5", "2"), trade(1, 1, "b", "1.6", "3")),
        List.of(trade(1, 1, "c", "1.7", "4")));
    ingest(server.channel(), requests);
    List<String> before = storedTrades(server.database().jdbc());

    IngestTradesResponse replay = ingest(server.channel(), requests);

    assertThat(replay.getReceived()).isEqualTo(3);
    assertThat(replay.getInserted()).isZero();
    assertThat(replay.getDuplicates()).isEqualTo(3);
    assertThat(storedTrades(server.database().jdbc())).isEqualTo(before);
  }

  @Test
  void partlyStoredRequests_countExactlyWhateverPathTheWriteTakes() {
    ingest(server.channel(), List.of(List.of(trade(1, 1, "a", "1", "1"), trade(1, 1, "c", "1", "1"))));

    // fresh after fresh, then a mix (the fast COPY fails on "a"), then fresh after the mix
    IngestTradesResponse mixed = ingest(server.channel(), List.of(
        List.of(trade(1, 1, "a", "1", "1"), trade(1, 1, "b", "1", "1"), trade(1, 1, "c", "1", "1"), trade(1, 1, "d", "1", "1"))));
    IngestTradesResponse fresh = ingest(server.channel(), List.of(List.of(trade(1, 1, "e", "1", "1"))));
    IngestTradesResponse freshAgain = ingest(server.channel(), List.of(List.of(trade(1, 1, "f", "1", "1"))));

    assertThat(mixed.getInserted()).isEqualTo(2);
    assertThat(mixed.getDuplicates()).isEqualTo(2);
    assertThat(fresh.getInserted()).isEqualTo(1);
    assertThat(freshAgain.getInserted()).isEqualTo(1);
    assertThat(storedTrades(server.database().jdbc())).extracting(t -> t.split(" ")[0])
        .containsExactly("1/1/a", "1/1/b", "1/1/c", "1/1/d", "1/1/e", "1/1/f");
  }

  @Test
  void tradeRepeatedInOneRequest_isInsertedOnceThenDuplicate_andTheFirstStands() {
    IngestTradesResponse response = ingest(server.channel(), List.of(List.of(
        trade(1, 1, "x", "10", "1"), trade(1, 1, "x", "99", "9"), trade(1, 1, "y", "11", "1"))));

    assertThat(response.getInserted()).isEqualTo(2);
    assertThat(response.getDuplicates()).isEqualTo(1);
    assertThat(storedTrades(server.database().jdbc())).extracting(s -> s.split(" ")[0] + " " + s.split(" ")[1])
        .containsExactly("1/1/x 10", "1/1/y 11");
  }

  @Test
  void tradeRepeatedAcrossRequestsOfOneStream_isCountedOnce() {
    IngestTradesResponse response = ingest(server.channel(), List.of(
        List.of(trade(1, 1, "x", "10", "1")), List.of(trade(1, 1, "x", "10", "1"))));

    assertThat(response.getInserted()).isEqualTo(1);
    assertThat(response.getDuplicates()).isEqualTo(1);
  }

  @Test
  void tradeSentAgainInTheStreamsNextBatch_isTheDuplicate_andTheFirstStands() {
    // 10,000 trades make one whole batch; the next request, the next batch, repeats the first
    // batch's last key with another price. The next batch starts writing while the first one
    // commits: the repeat must still wait for it and count as the duplicate, whatever the timing.
    for (int round = 0; round < 5; round++) {
      List<Trade> batch = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        batch.add(trade(1, 1, round + "-" + (100_000 + i), "10", "1"));
      }
      String lastKey = round + "-" + 109_999;
      List<Trade> again = List.of(trade(1, 1, lastKey, "99", "9"), trade(1, 1, round + "-x", "11", "1"));

      List<IngestTradesAck> acks = stream(server.channel(), List.of(batch, again));

      assertThat(acks).extracting(IngestTradesAck::getInserted, IngestTradesAck::getDuplicates)
          .containsExactly(tuple(10_000L, 0L), tuple(1L, 1L));
      assertThat(server.database().jdbc().query("SELECT price::text FROM trades WHERE trade_id = ?",
          rs -> rs.getString(1), lastKey)).containsExactly("10");
    }
  }

  @Test
  void invalidTrades_areRejectedWithIndexKeyFieldAndReason_andTheValidOnesBesideThemAreStored() {
    Trade valid = trade(1, 1, "ok-1", "1", "1");
    List<Trade> first = List.of(
        valid,
        trade(1, 9, "t1", "1", "1"),
        trade(1, 1, "", "1", "1"));
    List<Trade> second = List.of(
        trade(1, 1, "t3", "-1", "1"),
        trade(1, 1, "t4", "1", "1e5"),
        trade(1, 1, "ok-2", "0.1", "0.2"),
        trade(1, 1, "t6", "1", "1").toBuilder().setTradeTimeMs(0).build(),
        trade(1, 1, "t7", "1", "1").toBuilder().setTradeTimeMs(System.currentTimeMillis() + 2 * 86_400_000L).build(),
        trade(1, 1, "t8", "1", "1").toBuilder().setTakerSideValue(7).build(),
        trade(1, 1, "x".repeat(65), "1", "1"));

    IngestTradesResponse response = ingest(server.channel(), List.of(first, second));

    assertThat(response.getReceived()).isEqualTo(10);
    assertThat(response.getInserted()).isEqualTo(2);
    assertThat(response.getDuplicates()).isZero();
    assertThat(response.getRejected()).isEqualTo(8);
    assertThat(response.getRejectionsList())
        .extracting(RejectedRecord::getIndex, RejectedRecord::getRecordKey, RejectedRecord::getField)
        .containsExactly(
            tuple(1L, "1/9/t1", "currency_pair_no"),
            tuple(2L, "1/1/", "trade_id"),
            tuple(3L, "1/1/t3", "price"),
            tuple(4L, "1/1/t4", "quantity"),
            tuple(6L, "1/1/t6", "trade_time_ms"),
            tuple(7L, "1/1/t7", "trade_time_ms"),
            tuple(8L, "1/1/t8", "taker_side"),
            tuple(9L, "1/1/" + "x".repeat(65), "trade_id"));
    assertThat(response.getRejectionsList()).extracting(RejectedRecord::getCode).containsExactly(
        RejectionReason.REJECTION_REASON_UNKNOWN_MARKET,
        RejectionReason.REJECTION_REASON_MISSING_FIELD,
        RejectionReason.REJECTION_REASON_INVALID_DECIMAL,
        RejectionReason.REJECTION_REASON_INVALID_DECIMAL,
        RejectionReason.REJECTION_REASON_MISSING_FIELD,
        RejectionReason.REJECTION_REASON_OUT_OF_RANGE,
        RejectionReason.REJECTION_REASON_OUT_OF_RANGE,
        RejectionReason.REJECTION_REASON_TOO_LONG);
    assertThat(response.getRejections(0).getReason())
        .isEqualTo("market 1/9 is not registered: PutCurrencyPair first");
    assertThat(response.getRejections(2).getReason())
        .isEqualTo("must be a plain decimal (digits and at most one '.', no sign or exponent), got '-1'");
    assertThat(storedTrades(server.database().jdbc())).extracting(s -> s.split(" ")[0]).containsExactly("1/1/ok-1", "1/1/ok-2");
  }

  @Test
  void timesBefore2010_areRejectedOnBothTradeCalls_namingTheFieldTheFloorAndTheValue() {
    long floor = 1_262_304_000_000L; // 2010-01-01T00:00:00Z
    List<Trade> trades = List.of(
        trade(1, 1, "one", "1", "1").toBuilder().setTradeTimeMs(1).build(),
        trade(1, 1, "seconds", "1", "1").toBuilder().setTradeTimeMs(TradeCalls.TIME / 1000).build(),
        trade(1, 1, "at-floor", "1", "1").toBuilder().setTradeTimeMs(floor).setReceiveTimeMs(floor).build(),
        trade(1, 1, "received-early", "1", "1").toBuilder().setReceiveTimeMs(floor - 1).build());
    String before = "must be at or after 2010-01-01T00:00:00Z (1262304000000 ms), got ";

    IngestTradesResponse response = ingest(server.channel(), List.of(trades));
    List<IngestTradesAck> acks = stream(server.channel(), List.of(trades.stream()
        .map(t -> t.toBuilder().setTradeId("s-" + t.getTradeId()).build()).toList()));

    assertThat(response.getInserted()).isEqualTo(1);
    assertThat(response.getRejectionsList())
        .extracting(RejectedRecord::getCode, RejectedRecord::getField, RejectedRecord::getReason)
        .containsExactly(
            tuple(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, "trade_time_ms", before + 1),
            tuple(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, "trade_time_ms", before + TradeCalls.TIME / 1000),
            tuple(RejectionReason.REJECTION_REASON_OUT_OF_RANGE, "receive_time_ms",
                "must be 0 (now) or at or after 2010-01-01T00:00:00Z (1262304000000 ms), got " + (floor - 1)));
    assertThat(acks).singleElement().satisfies(ack -> {
      assertThat(ack.getInserted()).isEqualTo(1);
      assertThat(ack.getRejectionsList()).extracting(RejectedRecord::getReason)
          .containsExactlyElementsOf(response.getRejectionsList().stream().map(RejectedRecord::getReason).toList());
    });
    assertThat(storedTrades(server.database().jdbc())).extracting(s -> s.split(" ")[0])
        .containsExactly("1/1/at-floor", "1/1/s-at-floor");
  }

  @Test
  void pairRegisteredAMomentAgo_isAccepted() {
    assertThat(ingest(server.channel(), List.of(List.of(trade(1, 1, "warm", "1", "1")))).getInserted()).isEqualTo(1);
    registerMarket(server.channel(), 1, 3);

    IngestTradesResponse response = ingest(server.channel(), List.of(List.of(trade(1, 3, "new-pair", "1", "1"))));

    assertThat(response.getInserted()).isEqualTo(1);
    assertThat(response.getRejected()).isZero();
  }

  @Test
  void tradeIdsWithTabsBackslashesNewlinesAndUnicode_areStoredAsSent() {
    List<String> ids = List.of("a\tb", "back\\slash", "line\nbreak", "cr\rx", "\\N", "ünï©ødé-😀", "x".repeat(64));
    IngestTradesResponse response = ingest(server.channel(), List.of(
        ids.stream().map(id -> trade(1, 1, id, "1", "1")).toList()));

    assertThat(response.getInserted()).isEqualTo(ids.size());
    assertThat(server.database().jdbc().query("SELECT trade_id FROM trades", row -> row.getString(1)))
        .containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void receiveTimeZero_isTheServersNow() {
    long before = System.currentTimeMillis();
    ingest(server.channel(), List.of(List.of(trade(1, 1, "now", "1", "1").toBuilder().setReceiveTimeMs(0)
        .setTakerSide(TradeSide.TRADE_SIDE_UNSPECIFIED).build())));
    long after = System.currentTimeMillis();

    long stored = server.database().jdbc().queryOne("SELECT receive_time_ms FROM trades", row -> row.getLong(1)).orElseThrow();
    assertThat(stored).isBetween(before, after);
    assertThat(server.database().jdbc().queryOne("SELECT taker_side IS NULL FROM trades", row -> row.getBoolean(1)))
        .contains(true);
  }

  @Test
  void requestWithMoreThan10000Trades_failsTheCallWithResourceExhausted_afterStoringTheRequestsBeforeIt() {
    List<Trade> tooMany = LongStream.range(0, 10_001).mapToObj(TradeCalls::trade).toList();

    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> stream(server.channel(), List.of(List.of(trade(1, 1, "before", "1", "1")), tooMany)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).isEqualTo("request 1 has 10001 trades, at most 10000 are allowed per request");
    assertThat(countTrades(server.database().jdbc())).isEqualTo(1);
  }

  @Test
  void streamTrades_acksEachRequestInOrderWithItsOwnCounts() {
    List<List<Trade>> requests = new ArrayList<>();
    for (int r = 0; r < 50; r++) {
      List<Trade> request = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        request.add(trade(r * 100L + i));
      }
      requests.add(request);
    }
    requests.set(7, List.of(trade(1, 1, "bad", "0", "1"), trade(1, 1, "t-1", "1", "1"), trade(1, 1, "fresh", "1", "1")));

    List<IngestTradesAck> acks = stream(server.channel(), requests);

    assertThat(acks).extracting(IngestTradesAck::getRequestIndex).containsExactlyElementsOf(LongStream.range(0, 50).boxed().toList());
    assertThat(acks.get(0)).extracting(IngestTradesAck::getReceived, IngestTradesAck::getInserted, IngestTradesAck::getDuplicates)
        .containsExactly(100L, 100L, 0L);
    IngestTradesAck seventh = acks.get(7);
    assertThat(seventh.getReceived()).isEqualTo(3);
    assertThat(seventh.getInserted()).isEqualTo(1);
    assertThat(seventh.getDuplicates()).isEqualTo(1);
    assertThat(seventh.getRejected()).isEqualTo(1);
    assertThat(seventh.getRejections(0).getIndex()).isEqualTo(700);
    assertThat(seventh.getRejections(0).getReason()).isEqualTo("must be positive, got '0'");
    assertThat(acks.stream().mapToLong(IngestTradesAck::getInserted).sum()).isEqualTo(countTrades(server.database().jdbc()));
    assertThat(countTrades(server.database().jdbc())).isEqualTo(49 * 100 + 1 - 1 + 1);
  }
}
