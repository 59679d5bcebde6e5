package io.tickvault.server.grpc;

import io.grpc.MethodDescriptor;
import java.util.Objects;

/**
 * What the edge needs to know of one RPC, declared once for each method the server serves (the
 * table is {@code service/Rpcs}): who may call it, whether it is refused while the primary
 * database is down, and which threads run it. Authentication, admission and the call executor all
 * read this one declaration.
 *
 * @param fullMethodName the gRPC method, e.g. {@code tickvault.v1.ApiKeyService/GetApiKeys}
 * @param access who may call it
 * @param needsPrimary true when it cannot answer without the primary PostgreSQL: refused at once,
 *     UNAVAILABLE with a retry hint, while the database is known to be down; false when it answers
 *     from a cache, Redis or a read replica instead
 * @param runs where its work is done
 */
public record RpcRule(String fullMethodName, Access access, boolean needsPrimary, Runs runs) {
  /** Who may call an RPC. */
  public enum Access {
    /** Anyone, with or without a token: health, so that probes need none. */
    OPEN,
    /** Any token; no token either when {@code TICKVAULT_REFLECTION=public}. */
    REFLECTION,
    /** A worker or an admin token. */
    WORKER,
    /** An admin token. */
    ADMIN
  }

  /** Which threads run an RPC. */
  public enum Runs {
    /**
     * On the event loop that read the call: it answers a near-cache hit there, with no hand-off, and
     * hands a miss to the database executor itself ({@link BlockingCalls}).
     */
    EVENT_LOOP,
    /** On the transport executor: it does no blocking work, or hands its own writes over (ingestion streams). */
    TRANSPORT,
    /** Its events on the database executor, under the admission bound of {@link DatabaseCalls}. */
    DATABASE
  }

  public RpcRule {
    Objects.requireNonNull(fullMethodName, "fullMethodName");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(runs, "runs");
  }

  public static RpcRule of(MethodDescriptor<?, ?> method, Access access, boolean needsPrimary, Runs runs) {
    return new RpcRule(method.getFullMethodName(), access, needsPrimary, runs);
  }
}
