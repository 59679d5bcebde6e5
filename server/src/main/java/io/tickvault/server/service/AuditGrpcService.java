package io.tickvault.server.service;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.tickvault.api.v1.AuditChainHead;
import io.tickvault.api.v1.AuditRecord;
import io.tickvault.api.v1.AuditServiceGrpc;
import io.tickvault.api.v1.ReadAuditLogRequest;
import io.tickvault.api.v1.ReadAuditLogResponse;
import io.tickvault.api.v1.VerifyAuditLogRequest;
import io.tickvault.api.v1.VerifyAuditLogResponse;
import io.tickvault.server.audit.AuditEvent;
import io.tickvault.server.audit.AuditPosition;
import io.tickvault.server.audit.AuditRepository;
import io.tickvault.server.audit.AuditVerifier;
import io.tickvault.server.audit.ChainedRecord;
import io.tickvault.server.grpc.FieldViolations;
import io.tickvault.server.grpc.UnaryCalls;
import io.tickvault.server.read.PageToken;
import io.tickvault.server.read.PagedStream;
import io.tickvault.server.read.ReadArguments;
import io.tickvault.server.read.ReadStreams;
import java.util.List;
import java.util.UUID;

/** {@code tickvault.v1.AuditService}: the audit log read in pages, and its chains verified. */
public final class AuditGrpcService extends AuditServiceGrpc.AuditServiceImplBase {
  static final int DEFAULT_PAGE = 1_000;
  static final int MAX_PAGE = 10_000;

  private final AuditRepository records;
  private final AuditVerifier verifier;
  private final ReadStreams streams;

  public AuditGrpcService(AuditRepository records, AuditVerifier verifier, ReadStreams streams) {
    this.records = records;
    this.verifier = verifier;
    this.streams = streams;
  }

  @Override
  public void readAuditLog(ReadAuditLogRequest request, StreamObserver<ReadAuditLogResponse> observer) {
    PagedStream.serve(observer, () -> pager(request), streams);
  }

  private PagedStream.Pager<ReadAuditLogResponse> pager(ReadAuditLogRequest r) {
    FieldViolations violations = new FieldViolations();
    long end = ReadArguments.range(violations, r.getStartTimeMs(), r.getEndTimeMs(), true);
    int pageSize = ReadArguments.pageSize(violations, r.getPageSize(), DEFAULT_PAGE, MAX_PAGE);
    requireAtMost(violations, "user_id", r.getUserId());
    requireAtMost(violations, "token_id", r.getTokenId());
    PageToken first = PageToken.decode(violations, r.getPageToken(), PageToken.Kind.AUDIT_LOG, 0, 0,
        r.getStartTimeMs(), r.getEndTimeMs());
    violations.throwIfAny();
    return new PagedStream.Pager<>() {
      private AuditPosition after = first == null ? null
          : new AuditPosition(first.lastTime(), UUID.fromString(first.lastTradeId()), first.lastSequenceId());

      @Override
      public PagedStream.Page<ReadAuditLogResponse> next() {
        // One row more than a page says whether another page follows.
        List<ChainedRecord> rows = records.page(r.getStartTimeMs(), end, r.getUserId(), r.getTokenId(), after,
            pageSize + 1);
        boolean more = rows.size() > pageSize;
        List<ChainedRecord> page = more ? rows.subList(0, pageSize) : rows;
        ReadAuditLogResponse.Builder response = ReadAuditLogResponse.newBuilder();
        page.forEach(row -> response.addRecords(toProto(row)));
        String token = "";
        if (more) {
          ChainedRecord last = page.get(page.size() - 1);
          after = new AuditPosition(last.event().timeMs(), last.chainId(), last.seq());
          token = new PageToken(PageToken.Kind.AUDIT_LOG, 0, 0, r.getStartTimeMs(), r.getEndTimeMs(),
              last.event().timeMs(), last.chainId().toString(), last.seq()).encode();
          response.setNextPageToken(token);
        }
        ReadAuditLogResponse message = response.build();
        return new PagedStream.Page<>(message, message.getSerializedSize(), token, !more);
      }
    };
  }

  @Override
  public void verifyAuditLog(VerifyAuditLogRequest request, StreamObserver<VerifyAuditLogResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      AuditVerifier.Result result = verifier.verify();
      VerifyAuditLogResponse.Builder response = VerifyAuditLogResponse.newBuilder()
          .setIntact(result.intact())
          .setRecordsChecked(result.recordsChecked())
          .setFirstBadSeq(result.firstBadSeq())
          .setDetail(result.detail());
      if (result.chainId() != null) {
        response.setFirstBadChainId(result.chainId().toString());
      }
      for (AuditVerifier.Head head : result.heads()) {
        response.addChainHeads(AuditChainHead.newBuilder().setChainId(head.chainId().toString()).setSeq(head.seq())
            .setHash(ByteString.copyFrom(head.hash())));
      }
      return response.build();
    });
  }

  private static AuditRecord toProto(ChainedRecord row) {
    AuditEvent e = row.event();
    return AuditRecord.newBuilder()
        .setChainId(row.chainId().toString())
        .setSeq(row.seq())
        .setTimeMs(e.timeMs())
        .setTokenId(e.tokenId())
        .setPeer(e.peer())
        .setMethod(e.method())
        .setUserId(e.userId())
        .setExchangeId(e.exchangeId())
        .setOutcome(e.outcome())
        .setSubject(e.subject())
        .setKeyId(row.keyId())
        .setPrevHash(ByteString.copyFrom(row.prevHash()))
        .setHash(ByteString.copyFrom(row.hash()))
        .build();
  }

  private static void requireAtMost(FieldViolations violations, String field, String value) {
    if (value.length() > AuditEvent.MAX_TEXT) {
      violations.add(field, "must be at most " + AuditEvent.MAX_TEXT + " characters, got " + value.length());
    }
  }
}
