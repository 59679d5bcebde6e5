package io.tickvault.server.service;

import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.IngestOrderBooksRequest;
import io.tickvault.api.v1.IngestOrderBooksResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.IngestTradesAck;
import io.tickvault.api.v1.IngestTradesRequest;
import io.tickvault.api.v1.IngestTradesResponse;
import io.tickvault.api.v1.OrderBookSnapshot;
import io.tickvault.api.v1.ReportGapRequest;
import io.tickvault.api.v1.ReportGapResponse;
import io.tickvault.api.v1.StreamTradesRequest;
import io.tickvault.api.v1.Trade;
import io.tickvault.server.auth.Caller;
import io.tickvault.server.coverage.GapReports;
import io.tickvault.server.grpc.UnaryCalls;
import io.tickvault.server.ingest.StreamIngestor;

/**
 * {@code tickvault.v1.IngestService}: each RPC hands its stream to the {@link StreamIngestor} of its
 * kind of record and only says how to read a request and how to word the answer; gap reports go to
 * the coverage feature.
 */
public final class IngestGrpcService extends IngestServiceGrpc.IngestServiceImplBase {
  private final StreamIngestor<Trade> trades;
  private final StreamIngestor<OrderBookSnapshot> orderBooks;
  private final GapReports gaps;

  public IngestGrpcService(StreamIngestor<Trade> trades, StreamIngestor<OrderBookSnapshot> orderBooks, GapReports gaps) {
    this.trades = trades;
    this.orderBooks = orderBooks;
    this.gaps = gaps;
  }

  /** Ends every open ingestion stream for a graceful stop (see {@link StreamIngestor#endStreams()}). */
  public void endStreams() {
    trades.endStreams();
    orderBooks.endStreams();
  }

  @Override
  public StreamObserver<IngestTradesRequest> ingestTrades(StreamObserver<IngestTradesResponse> responses) {
    return trades.summarize(Caller.current().scope(), responses, IngestTradesRequest::getTradesList, IngestTradesRequest::getCoverageList,
        summary -> IngestTradesResponse.newBuilder()
            .setReceived(summary.received())
            .setInserted(summary.inserted())
            .setDuplicates(summary.duplicates())
            .setRejected(summary.rejected())
            .addAllRejections(summary.rejections())
            .setRejectionsTruncated(summary.rejectionsTruncated())
            .setCoverageStored(summary.coverageStored())
            .addAllCoverageRejections(summary.coverageRejections())
            .build());
  }

  @Override
  public StreamObserver<StreamTradesRequest> streamTrades(StreamObserver<IngestTradesAck> responses) {
    return trades.acknowledgeEach(Caller.current().scope(), responses, StreamTradesRequest::getTradesList, StreamTradesRequest::getCoverageList,
        outcome -> IngestTradesAck.newBuilder()
            .setRequestIndex(outcome.requestIndex())
            .setReceived(outcome.received())
            .setInserted(outcome.inserted())
            .setDuplicates(outcome.duplicates())
            .setRejected(outcome.rejected())
            .addAllRejections(outcome.rejections())
            .setRejectionsTruncated(outcome.rejectionsTruncated())
            .setCoverageStored(outcome.coverageStored())
            .addAllCoverageRejections(outcome.coverageRejections())
            .build());
  }

  @Override
  public StreamObserver<IngestOrderBooksRequest> ingestOrderBooks(StreamObserver<IngestOrderBooksResponse> responses) {
    return orderBooks.summarize(Caller.current().scope(), responses, IngestOrderBooksRequest::getSnapshotsList, IngestOrderBooksRequest::getCoverageList,
        summary -> IngestOrderBooksResponse.newBuilder()
            .setReceived(summary.received())
            .setInserted(summary.inserted())
            .setDuplicates(summary.duplicates())
            .setRejected(summary.rejected())
            .addAllRejections(summary.rejections())
            .setRejectionsTruncated(summary.rejectionsTruncated())
            .setCoverageStored(summary.coverageStored())
            .addAllCoverageRejections(summary.coverageRejections())
            .build());
  }

  @Override
  public void reportGap(ReportGapRequest request, StreamObserver<ReportGapResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Caller.current().requireExchange(request.getExchangeId());
      gaps.report(request);
      return ReportGapResponse.getDefaultInstance();
    });
  }
}
