package io.tickvault.client.cli;

import io.grpc.Channel;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.client.ReconnectListener;
import io.tickvault.client.ResendingOrderBookWriter;
import java.time.Duration;
import java.util.List;

/**
 * The library's {@link ResendingOrderBookWriter} as {@code ingest orderbooks} drives it: calls of
 * a few thousand snapshots, each sent again when the server goes away (what the failed call had
 * committed then counts as duplicates).
 */
final class OrderBookSender implements IngestCommand.Sender<OrderBookSnapshot> {
  private final ResendingOrderBookWriter writer;

  OrderBookSender(Channel channel, int batchSize, ReconnectListener reconnects) {
    writer = ResendingOrderBookWriter.open(channel, ResendingOrderBookWriter.Options.DEFAULT.withMaxBatchSnapshots(batchSize));
    writer.onReconnect(reconnects);
  }

  @Override
  public void write(OrderBookSnapshot snapshot) throws InterruptedException {
    writer.write(snapshot);
  }

  @Override
  public IngestCommand.Summary finish(List<CoverageClaim> claims) throws InterruptedException {
    // Each call ends with its summary before the next begins: the claims, after the last call's
    // snapshots, are stored once every snapshot written is committed.
    for (CoverageClaim c : claims) {
      writer.claimCoverage(c.getExchangeId(), c.getCurrencyPairNo(), c.getFromTimeMs(), c.getUntilTimeMs());
    }
    ResendingOrderBookWriter.Summary summary = writer.finish();
    return new IngestCommand.Summary(summary.received(), summary.inserted(), summary.duplicates(), summary.rejected(),
        summary.rejections(), summary.reconnects(), summary.coverageStored(), summary.coverageRejections());
  }

  @Override
  public boolean stop(Duration timeout) throws InterruptedException {
    return writer.stop(timeout);
  }

  @Override
  public long acknowledged() {
    return writer.acknowledgedSnapshots();
  }

  @Override
  public void close() {
    writer.close();
  }
}
