package io.tickvault.server.market;

/** A market (exchange, currency pair) as one {@code long}, for maps and sorted arrays keyed by market. */
public final class MarketKey {
  private MarketKey() {}

  /** The exchange id in the high 32 bits, the pair number in the low 32. */
  public static long of(int exchangeId, int currencyPairNo) {
    return ((long) exchangeId << 32) | (currencyPairNo & 0xffffffffL);
  }
}
