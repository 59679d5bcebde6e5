package io.tickvault.server.coverage;

import io.tickvault.api.v1.Channel;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.server.ingest.ClaimSink;
import io.tickvault.server.ingest.RecordChecks;
import io.tickvault.server.ingest.RecordSink.Rejection;
import io.tickvault.server.market.KnownMarkets;
import java.time.Clock;
import java.util.List;

/**
 * The coverage claims of the streams of one channel: checked as records are (each fault is
 * REJECTION_REASON_INVALID_CLAIM on the claim's field), and merged into the feeds' coverage.
 */
public record CoverageClaims(CoverageRepository repository, KnownMarkets markets, Channel channel, Clock clock) implements ClaimSink {
  @Override
  public Rejection validate(CoverageClaim claim) {
    Rejection fault = RecordChecks.marketIds(claim.getExchangeId(), claim.getCurrencyPairNo());
    if (fault == null && claim.getChannel() != Channel.CHANNEL_UNSPECIFIED && claim.getChannel() != channel) {
      fault = new Rejection(RejectionReason.REJECTION_REASON_INVALID_CLAIM, "channel", "is " + claim.getChannel() + " on a stream of " + channel
          + ": a stream claims only its own channel (or leave it unspecified)");
    }
    if (fault == null) {
      fault = CoverageChecks.range(claim.getFromTimeMs(), claim.getUntilTimeMs(), RecordChecks.latestTime(clock));
    }
    if (fault == null) {
      fault = RecordChecks.registeredMarket(markets, claim.getExchangeId(), claim.getCurrencyPairNo());
    }
    return fault == null ? null : new Rejection(RejectionReason.REJECTION_REASON_INVALID_CLAIM, fault.field(), fault.reason());
  }

  @Override
  public String claimKey(CoverageClaim claim) {
    return claim.getExchangeId() + "/" + claim.getCurrencyPairNo() + "/" + channel + "/" + claim.getFromTimeMs() + "/"
        + claim.getUntilTimeMs();
  }

  @Override
  public void store(List<CoverageClaim> claims) {
    repository.claim(channel, claims);
  }
}
