package io.tickvault.client;

import io.grpc.Channel;
import io.tickvault.api.v1.AuditRecord;
import io.tickvault.api.v1.AuditServiceGrpc;
import io.tickvault.api.v1.ReadAuditLogRequest;
import io.tickvault.api.v1.VerifyAuditLogRequest;
import io.tickvault.api.v1.VerifyAuditLogResponse;

/**
 * The audit trail through {@link TickvaultClient#audit()}, for a token with
 * {@code PERMISSION_AUDIT_READ} (docs/security.md): its records, and whether its chains are whole.
 */
public final class AuditCalls {
  private final Channel channel;

  AuditCalls(Channel channel) {
    this.channel = channel;
  }

  /**
   * The records of the request's range (and user or token, when set), oldest first, resumed where
   * it broke when the stream breaks ({@link ResumingReader}). Close it when stopping early.
   */
  public ResumingReader<AuditRecord> read(ReadAuditLogRequest request) {
    return ResumingReader.auditLog(channel, request, ResumingReader.Options.DEFAULT);
  }

  /**
   * Walks every chain: {@code intact}, or the first bad record ({@code first_bad_chain_id},
   * {@code first_bad_seq}, {@code detail}); {@code chain_heads} to compare with anchored heads.
   * Gets the client's unary deadline: give the client a longer one for a large log.
   */
  public VerifyAuditLogResponse verify() {
    return AuditServiceGrpc.newBlockingStub(channel).verifyAuditLog(VerifyAuditLogRequest.getDefaultInstance());
  }
}
