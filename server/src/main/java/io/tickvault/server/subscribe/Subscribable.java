package io.tickvault.server.subscribe;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A kind of record a {@link Subscription} streams (trades, order book snapshots): where its commit
 * log and its stored records are, how its records sort, and what each weighs in a response.
 *
 * @param <R> a record as the log and the stored pages name it (a trade; a snapshot's header)
 * @param <T> a record as delivered (a trade; a snapshot with its levels)
 */
public interface Subscribable<R, T> {
  /**
   * Where a market's history stands: the key of the last stored record delivered, (time,
   * number) for snapshots, (time, id) for trades; {@link #before} a start time before its first.
   */
  record Cursor(long time, long number, String id) {}

  /** Written into resume tokens, so a token of one kind is refused by the other: 1 trades, 2 order books. */
  byte kind();

  /** The RPC, for messages. */
  String rpc();

  CommitLog log();

  /** As {@link CommitLog#entries}, each entry's records as this kind names them. */
  List<CommitLog.Entry<R>> entries(Connection c, int[] exchangeIds, int[] pairNos, long[] after, long[] upto,
                                   int perMarket) throws SQLException;

  /** Up to {@code limit} of the market's stored records after {@code cursor}, oldest first. */
  List<R> after(Connection c, int exchangeId, int currencyPairNo, Cursor cursor, int limit) throws SQLException;

  /** The cursor before every record at or after {@code startTimeMs}. */
  Cursor before(long startTimeMs);

  Cursor cursorOf(R record);

  /** Negative, zero or positive as the record's key is before, at or after the cursor. */
  int compare(R record, Cursor cursor);

  /** Why no subscription could stand at this cursor inside a market's history, or null when one could. */
  String impossible(Cursor cursor);

  /** What the record adds to a response, in the unit of {@link #maxWeight}. */
  long weight(R record);

  /** The weight past which a response takes no further record (one record always goes). */
  long maxWeight();

  /** The records as delivered, in the order given (any the retention deleted left out). */
  List<T> load(Connection c, int exchangeId, int currencyPairNo, List<R> records) throws SQLException;
}
