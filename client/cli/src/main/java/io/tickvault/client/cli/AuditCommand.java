package io.tickvault.client.cli;

import io.tickvault.api.v1.AuditChainHead;
import io.tickvault.api.v1.AuditRecord;
import io.tickvault.api.v1.ReadAuditLogRequest;
import io.tickvault.api.v1.VerifyAuditLogResponse;
import io.tickvault.client.ResumingReader;
import io.tickvault.client.TickvaultClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tickvault audit read|verify}: the audit trail, for a token with PERMISSION_AUDIT_READ. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Read the audit trail, or verify its hash chains (a token with PERMISSION_AUDIT_READ).",
    subcommands = {AuditCommand.Read.class, AuditCommand.Verify.class})
final class AuditCommand {
  @Command(name = "read", mixinStandardHelpOptions = true,
      description = "Prints the audit records of a time range, oldest first: one line each, or with -o json one JSON "
          + "object per line.")
  static final class Read extends ServerCommand {
    @Mixin
    TimeRange range;

    @Option(names = "--user-id", paramLabel = "USER", defaultValue = "", description = "Only the records about this user.")
    String userId;

    @Option(names = "--token-id", paramLabel = "TOKEN_ID", defaultValue = "",
        description = "Only the records of calls made with this token id (tokens list, whoami).")
    String tokenId;

    @Override
    public Integer call() {
      ReadAuditLogRequest request = ReadAuditLogRequest.newBuilder().setStartTimeMs(range.from).setEndTimeMs(range.to)
          .setUserId(userId).setTokenId(tokenId).build();
      try (TickvaultClient client = connection.connect();
           ResumingReader<AuditRecord> records = client.audit().read(request)) {
        PrintWriter out = out();
        if (!output.json()) {
          out.printf("%-24s %-8s %6s %-20s %-22s %-40s %-16s %4s %-18s %s%n", "time", "chain", "seq", "token_id", "peer",
              "method", "user_id", "exch", "outcome", "subject");
        }
        while (records.hasNext()) {
          AuditRecord r = records.next();
          if (output.json()) {
            out.println(Json.of(r));
          } else {
            out.printf("%-24s %-8s %6d %-20s %-22s %-40s %-16s %4d %-18s %s%n", Instant.ofEpochMilli(r.getTimeMs()),
                r.getChainId().substring(0, Math.min(8, r.getChainId().length())), r.getSeq(), r.getTokenId(),
                r.getPeer(), r.getMethod(), r.getUserId(), r.getExchangeId(), r.getOutcome(), r.getSubject());
          }
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Walks every chain of the audit trail and names the first record that is not as it was "
          + "written (changed, deleted). Prints 'intact' and each chain's head (seq and hash, to compare with "
          + "heads anchored earlier), or the first bad record; with -o json the server's answer.",
          "Exit code 9 when a chain is broken."})
  static final class Verify extends ServerCommand {
    @Override
    public Integer call() {
      try (TickvaultClient client = connection.connect()) {
        VerifyAuditLogResponse verified = client.audit().verify();
        PrintWriter out = out();
        if (output.json()) {
          out.println(Json.of(verified));
        } else {
          out.println((verified.getIntact() ? "intact: " : "BROKEN: ") + verified.getDetail());
          for (AuditChainHead head : verified.getChainHeadsList()) {
            out.println("chain " + head.getChainId() + " head seq " + head.getSeq() + " hash "
                + HexFormat.of().formatHex(head.getHash().toByteArray()));
          }
        }
        return verified.getIntact() ? ExitCodes.OK : ExitCodes.AUDIT_BROKEN;
      }
    }
  }
}
