package io.tickvault.server.ingest;

import com.google.protobuf.MessageLite;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
  private final Function<Q, List<R>> recordsOf;
  private final int maxRecordsPerRequest;
  private final String recordNoun;
  private long nextRequestIndex;
  private long nextRecordIndex;

  RequestReader(Function<Q, List<R>> recordsOf, int maxRecordsPerRequest, String recordNoun) {
    this.recordsOf = recordsOf;
    this.maxRecordsPerRequest = maxRecordsPerRequest;
    this.recordNoun = recordNoun;
  }

  Pending<R> read(Q request) {
    if (RequestParsing.isUnreadable(request)) {
      long requestIndex = nextRequestIndex++;
      return new Pending<>(requestIndex, nextRecordIndex, List.of(), 0,
          RequestParsing.failure(request, "request " + requestIndex).asRuntimeException());
    }
    List<R> records = recordsOf.apply(request);
    long bytes = RequestParsing.serializedSize((MessageLite) request);
    long requestIndex = nextRequestIndex++;
    long firstRecordIndex = nextRecordIndex;
    nextRecordIndex += records.size();
    if (records.size() > maxRecordsPerRequest) {
      StatusRuntimeException tooMany = Status.RESOURCE_EXHAUSTED
          .withDescription("request " + requestIndex + " has " + records.size() + " " + recordNoun
              + ", at most " + maxRecordsPerRequest + " are allowed per request")
          .asRuntimeException();
      return new Pending<>(requestIndex, firstRecordIndex, List.of(), 0, tooMany);
    }
    return new Pending<>(requestIndex, firstRecordIndex, records, bytes, null);
  }

  /** The next request, which could not be read because of a bug of ours: it ends the call in its place. */
  Pending<R> failed(StatusRuntimeException failure) {
    return new Pending<>(nextRequestIndex++, nextRecordIndex, List.of(), 0, failure);
  }
}
