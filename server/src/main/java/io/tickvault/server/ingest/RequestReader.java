package io.tickvault.server.ingest;

import com.google.protobuf.MessageLite;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tickvault.api.v1.CoverageClaim;
import io.tickvault.server.grpc.RequestParsing;
import io.tickvault.server.ingest.PendingRequests.Pending;
import java.util.List;
import java.util.function.Function;

/**
 * Turns each request of one stream into what its call queues: numbered in the stream, its records
 * numbered from the stream's start, weighed in the bytes it was read from; or, for a request that
 * could not be parsed or holds too many records, the failure that ends the call in its place. Used
 * only by the transport side, which gRPC serializes.
 */
final class RequestReader<Q, R> {
  /** Coverage claims in one request: a claim per market and batch needs far fewer. */
  static final int MAX_CLAIMS_PER_REQUEST = 1_000;

  private final Function<Q, List<R>> recordsOf;
  private final Function<Q, List<CoverageClaim>> claimsOf;
  private final int maxRecordsPerRequest;
  private final String recordNoun;
  private long nextRequestIndex;
  private long nextRecordIndex;
  private long nextClaimIndex;

  RequestReader(Function<Q, List<R>> recordsOf, Function<Q, List<CoverageClaim>> claimsOf, int maxRecordsPerRequest,
                String recordNoun) {
    this.recordsOf = recordsOf;
    this.claimsOf = claimsOf;
    this.maxRecordsPerRequest = maxRecordsPerRequest;
    this.recordNoun = recordNoun;
  }

  Pending<R> read(Q request) {
    if (RequestParsing.isUnreadable(request)) {
      long requestIndex = nextRequestIndex++;
      return failed(requestIndex, RequestParsing.failure(request, "request " + requestIndex).asRuntimeException());
    }
    List<R> records = recordsOf.apply(request);
    List<CoverageClaim> claims = claimsOf.apply(request);
    long bytes = RequestParsing.serializedSize((MessageLite) request);
    long requestIndex = nextRequestIndex++;
    long firstRecordIndex = nextRecordIndex;
    long firstClaimIndex = nextClaimIndex;
    nextRecordIndex += records.size();
    nextClaimIndex += claims.size();
    if (records.size() > maxRecordsPerRequest) {
      return failed(requestIndex, tooMany(requestIndex, records.size() + " " + recordNoun, maxRecordsPerRequest));
    }
    if (claims.size() > MAX_CLAIMS_PER_REQUEST) {
      return failed(requestIndex, tooMany(requestIndex, claims.size() + " coverage claims", MAX_CLAIMS_PER_REQUEST));
    }
    return new Pending<>(requestIndex, firstRecordIndex, records, firstClaimIndex, claims, bytes, null);
  }

  private static StatusRuntimeException tooMany(long requestIndex, String has, int max) {
    return Status.RESOURCE_EXHAUSTED
        .withDescription("request " + requestIndex + " has " + has + ", at most " + max + " are allowed per request")
        .asRuntimeException();
  }

  private Pending<R> failed(long requestIndex, StatusRuntimeException failure) {
    return new Pending<>(requestIndex, nextRecordIndex, List.of(), nextClaimIndex, List.of(), 0, failure);
  }

  /** The next request, which could not be read because of a bug of ours: it ends the call in its place. */
  Pending<R> failed(StatusRuntimeException failure) {
    return failed(nextRequestIndex++, failure);
  }
}
