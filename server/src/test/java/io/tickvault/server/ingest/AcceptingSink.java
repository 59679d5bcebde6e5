package io.tickvault.server.ingest;

import io.tickvault.api.v1.Trade;
import java.util.Arrays;
import java.util.List;

/** A sink for tests of the machinery: every trade is valid and named by its id; the test writes. */
abstract class AcceptingSink implements RecordSink<Trade> {
  @Override
  public Rejection validate(Trade record) {
    return null;
  }

  @Override
  public String recordKey(Trade record) {
    return record.getTradeId();
  }

  @Override
  public int exchangeId(Trade record) {
    return record.getExchangeId();
  }

  /** The answer of a write that inserted every record. */
  static boolean[] allInserted(List<Trade> records) {
    boolean[] inserted = new boolean[records.size()];
    Arrays.fill(inserted, true);
    return inserted;
  }
}
