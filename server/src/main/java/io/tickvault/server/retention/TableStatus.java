package io.tickvault.server.retention;

/**
 * One table's row of {@code retention_horizons}, in epoch milliseconds (0: never or none).
 *
 * @param horizonMs rows with a time before this are removed or being removed, and refused by ingestion
 * @param rowsRemoved by every server, since the table was made
 * @param lastRunMs when a server last finished removing this table's rows
 * @param oldestKeptMs the time of the oldest row left at the end of that run
 */
public record TableStatus(String table, long horizonMs, long rowsRemoved, long lastRunMs, long oldestKeptMs) {}
