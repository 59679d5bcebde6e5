package io.tickvault.server.marketstate;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScriptOutputType;
import io.tickvault.server.redis.LazyRedisConnection;
import io.tickvault.server.redis.RedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The only place that knows the hot market state's Redis key and script.
 *
 * <p>One hash per market, {@code market_state:{<exchange_id>:<currency_pair_no>}}: the braces are a
 * Redis Cluster hash tag, and every command and script here touches the key of one market only,
 * so the state spreads over a cluster by market. Fields: {@code trade} (a serialized Trade) with
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

  // KEYS[1]: the market's hash. ARGV[1]: TTL in ms; then triples (part, order key, value).
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
      for i = 2, #ARGV, 3 do
        local keyField = ARGV[i] .. '_key'
        local current = redis.call('HGET', KEYS[1], keyField)
        if not current or before(current, ARGV[i + 1]) then
          redis.call('HSET', KEYS[1], keyField, ARGV[i + 1], ARGV[i], ARGV[i + 2])
          changed = changed + 1
        end
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return changed
      """;

  /** One part of a market's state to offer: {@link #TRADE} or {@link #BOOK}, its order key and value. */
  record Part(String name, byte[] orderKey, byte[] value) {}

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
    RedisConnection<String, byte[]> c;
    try {
      c = connection();
    } catch (UnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    byte[][] args = new byte[1 + 3 * parts.size()][];
    args[0] = ascii(Long.toString(TTL.toMillis()));
    for (int i = 0; i < parts.size(); i++) {
      Part part = parts.get(i);
      args[1 + 3 * i] = ascii(part.name());
      args[2 + 3 * i] = part.orderKey();
      args[3 + 3 * i] = part.value();
    }
    CompletionStage<Long> replaced;
    try {
      replaced = c.async().eval(OFFER, ScriptOutputType.INTEGER, new String[] {key(exchangeId, currencyPairNo)}, args);
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
