package io.tickvault.server.trade;

import static io.tickvault.server.trade.TradeCalls.ingest;
import static io.tickvault.server.trade.TradeCalls.registerMarket;
import static io.tickvault.server.trade.TradeCalls.trade;
import static org.assertj.core.api.Assertions.assertThat;

import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.testing.TestServer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Property: any valid price and quantity is read back from PostgreSQL as exactly the string sent. */
class DecimalRoundTripIT {
  @RegisterExtension
  static TestServer server = TestServer.inProcess();

  @Test
  void randomPricesAndQuantities_readBackDigitForDigit() {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    registerMarket(server.channel(), 1, 1);
    Map<String, String[]> sent = new HashMap<>();
    List<Trade> trades = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      String price = randomDecimal(random);
      String quantity = randomDecimal(random);
      trades.add(trade(1, 1, "d" + i, price, quantity));
      sent.put("d" + i, new String[] {price, quantity});
    }

    IngestTradesResponse response = ingest(server.channel(), List.of(trades.subList(0, 2_500), trades.subList(2_500, 5_000)));

    assertThat(response.getRejectionsList()).as("seed %d", seed).isEmpty();
    assertThat(response.getInserted()).isEqualTo(5_000);
    List<String[]> stored = server.database().jdbc().query(
        "SELECT trade_id, price::text, quantity::text, price, quantity FROM trades",
        row -> new String[] {row.getString(1), row.getString(2), row.getString(3),
            row.getBigDecimal(4).toPlainString(), row.getBigDecimal(5).toPlainString()});
    assertThat(stored).hasSize(5_000);
    for (String[] row : stored) {
      String[] expected = sent.get(row[0]);
      assertThat(new String[] {row[1], row[2]}).as("seed %d, trade %s", seed, row[0]).containsExactly(expected);
      assertThat(new BigDecimal(row[3])).isEqualTo(new BigDecimal(expected[0]));
      assertThat(new BigDecimal(row[4])).isEqualTo(new BigDecimal(expected[1]));
    }
  }

  /** 1 to 38 significant digits, scale 0 to 18, never zero, no leading zeros: the whole valid range. */
  static String randomDecimal(SplittableRandom random) {
    int scale = random.nextInt(0, 19);
    int significant = random.nextInt(1, 39);
    StringBuilder digits = new StringBuilder();
    digits.append((char) ('1' + random.nextInt(9)));
    for (int i = 1; i < significant; i++) {
      digits.append((char) ('0' + random.nextInt(10)));
    }
    if (scale == 0) {
      return digits.toString();
    }
    if (digits.length() > scale) {
      return digits.substring(0, digits.length() - scale) + "." + digits.substring(digits.length() - scale);
    }
    return "0." + "0".repeat(scale - digits.length()) + digits;
  }
}
