package io.tickvault.client;

import io.grpc.Channel;
import io.tickvault.api.v1.Feed;
import io.tickvault.api.v1.GapReason;
import io.tickvault.api.v1.GetCoverageRequest;
import io.tickvault.api.v1.GetCoverageResponse;
import io.tickvault.api.v1.IngestServiceGrpc;
import io.tickvault.api.v1.ListFeedsRequest;
import io.tickvault.api.v1.QueryServiceGrpc;
import io.tickvault.api.v1.ReportGapRequest;
import java.util.List;

/**
 * Coverage through {@link TickvaultClient#coverage()}: gap reports, whether a range is complete,
 * each feed's freshness (docs/coverage.md). Claims ride with the writers' batches
 * ({@link TradeStreamWriter#claimCoverage}, {@link ResendingOrderBookWriter#claimCoverage}). The calls
 * get the client's unary deadline and retries.
 */
public final class CoverageCalls {
  private final Channel channel;

  CoverageCalls(Channel channel) {
    this.channel = channel;
  }

  /**
   * Records why {@code [fromTimeMs, untilTimeMs)} of a feed is missing (a disconnect, a sequence
   * jump...); the same report again stores nothing more, so it may be retried freely.
   */
  public void reportGap(int exchangeId, int currencyPairNo, io.tickvault.api.v1.Channel feedChannel, long fromTimeMs,
                        long untilTimeMs, GapReason reason, String detail) {
    IngestServiceGrpc.newBlockingStub(channel).reportGap(ReportGapRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(currencyPairNo).setChannel(feedChannel)
        .setFromTimeMs(fromTimeMs).setUntilTimeMs(untilTimeMs).setReason(reason).setDetail(detail).build());
  }

  /**
   * Whether {@code [startTimeMs, endTimeMs)} (end 0: now) of a feed is complete: the covered
   * ranges, and the holes with the gap reports that explain them.
   */
  public GetCoverageResponse getCoverage(int exchangeId, int currencyPairNo, io.tickvault.api.v1.Channel feedChannel,
                                         long startTimeMs, long endTimeMs) {
    return QueryServiceGrpc.newBlockingStub(channel).getCoverage(GetCoverageRequest.newBuilder()
        .setExchangeId(exchangeId).setCurrencyPairNo(currencyPairNo).setChannel(feedChannel)
        .setStartTimeMs(startTimeMs).setEndTimeMs(endTimeMs).build());
  }

  /** Every feed of an exchange (0: of all) with where its coverage ends and its newest record's time. */
  public List<Feed> listFeeds(int exchangeId) {
    return QueryServiceGrpc.newBlockingStub(channel).listFeeds(ListFeedsRequest.newBuilder().setExchangeId(exchangeId).build())
        .getFeedsList();
  }
}
