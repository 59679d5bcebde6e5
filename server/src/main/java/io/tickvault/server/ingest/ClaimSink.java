package io.tickvault.server.ingest;

import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.api.v1.RejectionReason;
import io.tickvault.server.ingest.RecordSink.Rejection;
import java.util.List;

/**
 * The coverage claims of one kind of stream as the ingestion machinery sees them: checked with the
 * records of their batch, and stored by {@link IngestBatch} once every record before them on the
 * stream is committed (the batch's own and every batch before it), before their requests are
 * acknowledged. A stream that fails first never stores them.
 */
public interface ClaimSink {
  /** A kind of stream that takes no claims: every claim is refused. */
  ClaimSink NONE = new ClaimSink() {
    @Override
    public Rejection validate(CoverageClaim claim) {
      return new Rejection(RejectionReason.REJECTION_REASON_INVALID_CLAIM, "channel", "this stream takes no coverage claims");
    }

    @Override
    public String claimKey(CoverageClaim claim) {
      return claim.getExchangeId() + "/" + claim.getCurrencyPairNo();
    }

    @Override
    public void store(List<CoverageClaim> claims) {
      throw new IllegalStateException("no claim is valid here");
    }
  };

  /** Checks one claim on its own; returns why it is refused, or null when it may be stored. */
  Rejection validate(CoverageClaim claim);

  /** The claim as text, for {@code RejectedRecord.record_key}. */
  String claimKey(CoverageClaim claim);

  /**
   * Stores valid claims, all or none (throws {@link io.tickvault.server.db.DataAccessException}).
   * Storing a claim again changes nothing.
   */
  void store(List<CoverageClaim> claims);
}
