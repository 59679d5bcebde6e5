package io.tickvault.server.coverage;

import io.tickvault.api.v1.Feed;
import io.tickvault.api.v1.ListFeedsRequest;
import io.tickvault.api.v1.ListFeedsResponse;
import io.tickvault.server.grpc.FieldViolations;
import java.util.List;

/**
 * ListFeeds, and the same freshness for the gauges: {@link #refresh()} (every few seconds, off the
 * scrape) keeps the last list, which a scrape reads without touching the database.
 */
public final class FeedFreshness {
  private final CoverageRepository repository;
  private volatile List<Feed> latest = List.of();

  public FeedFreshness(CoverageRepository repository) {
    this.repository = repository;
  }

  public ListFeedsResponse list(ListFeedsRequest request) {
    FieldViolations violations = new FieldViolations();
    if (request.getExchangeId() < 0) {
      violations.add("exchange_id", "must be positive, or 0 for every exchange, got " + request.getExchangeId());
    }
    violations.throwIfAny();
    return ListFeedsResponse.newBuilder().addAllFeeds(repository.feeds(request.getExchangeId())).build();
  }

  /** Reads every feed's freshness again; a failure keeps the last list (the gauges go on saying what was known). */
  public void refresh() {
    latest = repository.feeds(0);
  }

  /** The list of the last {@link #refresh()}. */
  public List<Feed> latest() {
    return latest;
  }
}
