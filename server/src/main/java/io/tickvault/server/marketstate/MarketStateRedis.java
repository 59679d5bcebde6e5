package io.tickvault.server.marketstate;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The only place that knows the hot market state's Redis key and script.
 *
 * <p>One hash per market, {@code market_state:{<exchange_id>:<currency_pair_no>}}: the braces are a
 * Redis Cluster hash tag, so the state spreads over a cluster by market. One script call offers
 * many markets at once (one round trip for a whole group commit, {@link #calls}); in a cluster
 * only markets whose keys share a slot go in one call. Fields: {@code trade} (a serialized Trade) with
 * {@code trade_key}, its order key, and {@code book} (a serialized OrderBookSnapshot) with
 * {@code book_key}. An order key of "" with an empty value says "the market has none", which
 * PostgreSQL confirmed; a field that is absent says "unknown, ask PostgreSQL".
 *
 * <p>Order keys compare byte by byte, and their byte order is the order of the data: a trade's is
 * its trade_time_ms in 19 zero-padded digits followed by its trade_id in UTF-8 (so (time, id) in
 * the "C" order of the reads), a snapshot's its server_time_ms then its sequence_id, 19 digits
 * each. {@link #OFFER} replaces a part only when the offered key is greater, in one script, so
 * replays, backfills and replicas racing each other never move the state back. The script compares
 * bytes itself: Lua's string comparison follows the Redis server's locale.
 *
 * <p>Every write also sets a TTL of {@link #TTL}: the state of a market that a crashed server
 * committed but never offered is corrected from PostgreSQL at the latest when it expires.
 */
public final class MarketStateRedis {
  static final Duration TTL = Duration.ofMinutes(10);
  static final Duration TIMEOUT_COOL_DOWN = Duration.ofSeconds(1);
  static final String TRADE = "trade";
  static final String BOOK = "book";

  /** Markets in one script call at most: bounds how long one call holds Redis (it runs no other command meanwhile). */
  static final int MAX_MARKETS_PER_CALL = 500;

  // KEYS: the markets' hashes. ARGV[1]: TTL in ms; then for each key in turn, its number of parts
  // and that many triples (part, order key, value).
  private static final String OFFER = """
      local function before(a, b)
        local n = math.min(#a, #b)
        for i = 1, n do
          local x, y = string.byte(a, i), string.byte(b, i)
          if x ~= y then return x < y end
        end
        return #a < #b
      end
      local changed = 0
      local a = 2
      for k = 1, #KEYS do
        local parts = tonumber(ARGV[a])
        a = a + 1
        for p = 1, parts do
          local keyField = ARGV[a] .. '_key'
          local current = redis.call('HGET', KEYS[k], keyField)
          if not current or before(current, ARGV[a + 1]) then
            redis.call('HSET', KEYS[k], keyField, ARGV[a + 1], ARGV[a], ARGV[a + 2])
            changed = changed + 1
          end
          a = a + 3
        end
        redis.call('PEXPIRE', KEYS[k], ARGV[1])
      end
      return changed
      """;

  /** One part of a market's state to offer: {@link #TRADE} or {@link #BOOK}, its order key and value. */
  record Part(String name, byte[] orderKey, byte[] value) {}

  /** What to offer of one market: some of its parts. */
  record Offer(int exchangeId, int currencyPairNo, List<Part> parts) {}

  /** The hash as read; a field is null when absent. */
  record Stored(byte[] tradeKey, byte[] trade, byte[] bookKey, byte[] book) {
    boolean complete() {
      return tradeKey != null && trade != null && bookKey != null && book != null;
    }
  }

  /** Redis did not answer (down, disconnected, timed out, recently timed out). */
  static final class UnavailableException extends RuntimeException {
    UnavailableException(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  private final LazyRedisConnection<RedisConnection<String, byte[]>> connection;
  private final Clock clock;
  private volatile long skipUntilMillis;
  /** Set by any failed command, cleared by a lookup that succeeds. */
  private volatile boolean failing;

  public MarketStateRedis(LazyRedisConnection<RedisConnection<String, byte[]>> connection, Clock clock) {
    this.connection = connection;
    this.clock = clock;
  }

  static String key(int exchangeId, int currencyPairNo) {
    return "market_state:{" + exchangeId + ":" + currencyPairNo + "}";
  }

  /** Reads the market's hash, waiting at most the connection's command timeout. */
  Stored lookup(int exchangeId, int currencyPairNo) {
    RedisConnection<String, byte[]> c = connection();
    try {
      List<KeyValue<String, byte[]>> values = c.sync().hmget(key(exchangeId, currencyPairNo),
          TRADE + "_key", TRADE, BOOK + "_key", BOOK);
      Stored stored = new Stored(value(values, 0), value(values, 1), value(values, 2), value(values, 3));
      failing = false;
      return stored;
    } catch (RuntimeException e) {
      throw failed("lookup", e);
    }
  }

  /**
   * Offers parts of the market's state without waiting; the stage completes with the number of
   * parts replaced, or exceptionally with {@link UnavailableException}.
   */
  CompletionStage<Long> offer(int exchangeId, int currencyPairNo, List<Part> parts) {
    return offer(List.of(new Offer(exchangeId, currencyPairNo, parts)));
  }

  /**
   * The offers split into the script calls that may carry them: at most
   * {@link #MAX_MARKETS_PER_CALL} markets each, and in a cluster only markets of one slot together.
   */
  List<List<Offer>> calls(List<Offer> offers) {
    RedisConnection<String, byte[]> c = connection.get();
    Map<Integer, List<List<Offer>>> bySlot = new LinkedHashMap<>();
    for (Offer offer : offers) {
      int slot = c != null && c.keys().cluster() ? SlotHash.getSlot(key(offer.exchangeId(), offer.currencyPairNo())) : 0;
      List<List<Offer>> calls = bySlot.computeIfAbsent(slot, s -> new ArrayList<>());
      if (calls.isEmpty() || calls.get(calls.size() - 1).size() >= MAX_MARKETS_PER_CALL) {
        calls.add(new ArrayList<>());
      }
      calls.get(calls.size() - 1).add(offer);
    }
    List<List<Offer>> calls = new ArrayList<>();
    bySlot.values().forEach(calls::addAll);
    return calls;
  }

  /**
   * Offers the markets' parts in one script call, without waiting; the markets must be of one
   * {@linkplain #calls call}. The stage completes with the number of parts replaced, or
   * exceptionally with {@link UnavailableException}.
   */
  CompletionStage<Long> offer(List<Offer> offers) {
    RedisConnection<String, byte[]> c;
    try {
      c = connection();
    } catch (UnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    String[] keys = new String[offers.size()];
    int argCount = 1;
    for (Offer offer : offers) {
      argCount += 1 + 3 * offer.parts().size();
    }
    byte[][] args = new byte[argCount][];
    args[0] = ascii(Long.toString(TTL.toMillis()));
    int a = 1;
    for (int k = 0; k < keys.length; k++) {
      Offer offer = offers.get(k);
      keys[k] = key(offer.exchangeId(), offer.currencyPairNo());
      args[a++] = ascii(Integer.toString(offer.parts().size()));
      for (Part part : offer.parts()) {
        args[a++] = ascii(part.name());
        args[a++] = part.orderKey();
        args[a++] = part.value();
      }
    }
    CompletionStage<Long> replaced;
    try {
      replaced = c.async().eval(OFFER, ScriptOutputType.INTEGER, keys, args);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(failed("offer", e));
    }
    return replaced.handle((n, error) -> {
      if (error != null) {
        throw failed("offer", error);
      }
      return n;
    });
  }

  /**
   * False while Redis is known to be failing: not connected, its last command failed, or it timed
   * out less than {@link #TIMEOUT_COOL_DOWN} ago. Never blocks.
   */
  boolean answering() {
    if (failing || clock.millis() < skipUntilMillis) {
      return false;
    }
    RedisConnection<String, byte[]> c = connection.get();
    return c != null && c.isOpen();
  }

  /** The order key of a trade: its time in 19 digits, then its id in UTF-8. */
  static byte[] tradeKey(long tradeTimeMs, String tradeId) {
    return (digits(tradeTimeMs) + tradeId).getBytes(StandardCharsets.UTF_8);
  }

  /** The order key of a snapshot: its server time, then its sequence id, 19 digits each. */
  static byte[] bookKey(long serverTimeMs, long sequenceId) {
    return ascii(digits(serverTimeMs) + digits(sequenceId));
  }

  private static String digits(long notNegative) {
    String s = Long.toString(notNegative);
    return "0".repeat(19 - s.length()) + s;
  }

  private RedisConnection<String, byte[]> connection() {
    if (clock.millis() < skipUntilMillis) {
      throw new UnavailableException("Redis timed out less than " + TIMEOUT_COOL_DOWN.toMillis() + " ms ago: skipped", null);
    }
    RedisConnection<String, byte[]> c = connection.get();
    if (c == null) {
      throw new UnavailableException("not connected to Redis yet", null);
    }
    return c;
  }

  private UnavailableException failed(String operation, Throwable e) {
    failing = true;
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof UnavailableException u) {
      return u;
    }
    if (cause instanceof RedisCommandTimeoutException) {
      skipUntilMillis = clock.millis() + TIMEOUT_COOL_DOWN.toMillis();
    }
    return new UnavailableException("Redis " + operation + " failed: " + cause.getClass().getSimpleName() + ": "
        + cause.getMessage(), cause);
  }

  private static byte[] value(List<KeyValue<String, byte[]>> values, int i) {
    return values.get(i).getValueOrElse(null);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
