-- trade_commit_log.trades holds a whole batch of trades (up to about a megabyte) per market and
-- transaction: kept out of line but not compressed. pglz compressing it in the committing
-- transaction cost ingestion about a third of its throughput (docs/benchmarks.md); the rows live
-- for the log's retention only, so the bytes saved were not worth it.
ALTER TABLE trade_commit_log ALTER COLUMN trades SET STORAGE EXTERNAL;
