package io.tickvault.server.trade;

import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.Parser;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.api.v1.TradeSide;
import io.tickvault.server.db.CopyWriter;
import io.tickvault.server.ingest.RecordChecks;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Locale;
import org.postgresql.copy.CopyIn;

/**
 * What the pieces of a fresh trade's way through the server cost on their own, in nanoseconds per
 * trade, in one JVM and without PostgreSQL (docs/benchmarks.md, "Where the limit is"): reading a
 * {@code StreamTradesRequest}, checking its prices and quantities, the candle rollup's arithmetic,
 * and encoding the {@code COPY} rows. End-to-end runs of one stream vary by more than a piece's
 * share between runs, so a change to one of these is measured here, builds alternating, and then
 * end to end. Run by {@code bench/trade-path-costs.sh}; a main, not a test.
 */
public final class TradePathCosts {
  private static final int TRADES = 1_000;
  private static final int REPETITIONS = 2_000;
  private static final int ROUNDS = 12;
  private static final int WARM_ROUNDS = 6;
  /** The receive time given to trades sent without one, as the server's clock would. */
  private static final long RECEIVED_AT_MS = 1_764_000_000_005L;
  private static long consumed; // what each piece computed, so that the JIT cannot drop the work

  private TradePathCosts() {}

  public static void main(String[] args) throws Exception {
    byte[] request = request().toByteArray();
    Parser<StreamTradesRequest> parser = DiscardUnknownFieldsParser.wrap(StreamTradesRequest.parser());
    List<Trade> trades = parser.parseFrom(request).getTradesList();
    CopyIn discard = discardingCopy();
    System.out.printf(Locale.ROOT, "trade-path-costs: %,d-trade requests (%,d bytes), %,d repetitions a round, %d rounds, the last %d printed%n",
        TRADES, request.length, REPETITIONS, ROUNDS, ROUNDS - WARM_ROUNDS);
    for (int round = 1; round <= ROUNDS; round++) {
      double parse = time(() -> consumed += parser.parseFrom(request).getTradesCount());
      double checks = time(() -> {
        for (Trade t : trades) {
          if (RecordChecks.positiveDecimal("price", t.getPrice()) == null
              && RecordChecks.positiveDecimal("quantity", t.getQuantity()) == null) {
            consumed++;
          }
        }
      });
      double candles = time(() -> {
        MinuteCandles c = new MinuteCandles();
        trades.forEach(c::add);
        consumed += c.candles().size();
      });
      double copy = time(() -> {
        CopyWriter writer = CopyWriter.over(discard);
        TradeRepository.writeRows(writer, trades, RECEIVED_AT_MS);
        consumed += writer.finish();
      });
      if (round > WARM_ROUNDS) {
        System.out.printf(Locale.ROOT, "round %2d: parse %.1f  decimal checks %.1f  candles %.1f  COPY encoding %.1f  sum %.1f ns/trade%n",
            round, parse, checks, candles, copy, parse + checks + candles + copy);
      }
    }
    System.out.println("(checksum " + consumed + ")");
  }

  /** Trades as `bench/ingest-csv.sh` writes them: ids rising, 4 a millisecond, no receive time. */
  private static StreamTradesRequest request() {
    StreamTradesRequest.Builder request = StreamTradesRequest.newBuilder();
    for (int i = 0; i < TRADES; i++) {
      request.addTrades(Trade.newBuilder().setExchangeId(7).setCurrencyPairNo(3)
          .setTradeId(Long.toString(100_000_000L + i))
          .setPrice((60_000 + i % 1_000) + "." + i % 97).setQuantity(String.format(Locale.ROOT, "0.%04d", 1 + i % 9_000))
          .setTakerSide(i % 2 == 0 ? TradeSide.TRADE_SIDE_BUY : TradeSide.TRADE_SIDE_SELL)
          .setTradeTimeMs(1_764_000_000_000L + i / 4));
    }
    return request.build();
  }

  /** A COPY that takes the bytes and drops them, and says it stored every row. */
  private static CopyIn discardingCopy() {
    return (CopyIn) Proxy.newProxyInstance(TradePathCosts.class.getClassLoader(), new Class<?>[] {CopyIn.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "writeToCopy" -> {
            consumed += args.length;
            yield null;
          }
          case "endCopy" -> (long) TRADES;
          case "isActive" -> false;
          default -> null;
        });
  }

  private interface Piece {
    void run() throws Exception;
  }

  /** Nanoseconds per trade of one piece over a round. */
  private static double time(Piece piece) throws Exception {
    long started = System.nanoTime();
    for (int r = 0; r < REPETITIONS; r++) {
      piece.run();
    }
    return (System.nanoTime() - started) / (double) REPETITIONS / TRADES;
  }
}
