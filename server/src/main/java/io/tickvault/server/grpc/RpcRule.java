package io.tickvault.server.grpc;

import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the edge needs to know of one RPC, declared once for each method the server serves (the
 * table is {@code service/Rpcs}): who may call it, whether it is refused while the primary
 * database is down, which threads run it, and what it may cost the database. Authentication,
 * admission and the call executor all read this one declaration.
 *
 * @param fullMethodName the gRPC method, e.g. {@code tickvault.v1.ApiKeyService/GetApiKeys}
 * @param access who may call it
 * @param needs the permission a token must carry to call it, for {@link Access#TOKEN}; empty when
 *     any valid token may (WhoAmI), and for the calls that need no token
 * @param needsPrimary true when it cannot answer without the primary PostgreSQL: refused at once,
 *     UNAVAILABLE with a retry hint, while the database is known to be down; false when it answers
 *     from a cache, Redis or a read replica instead
 * @param runs where its work is done
 * @param cost how it is admitted to the database, and how long each of its statements may run
 */
public record RpcRule(String fullMethodName, Access access, Optional<Permission> needs, boolean needsPrimary, Runs runs,
                      Cost cost) {
  /** Who may call an RPC. */
  public enum Access {
    /** Anyone, with or without a token: health, so that probes need none. */
    OPEN,
    /** Any token; no token either when {@code TICKVAULT_REFLECTION=public}. */
    REFLECTION,
    /** A valid token that carries the permission the RPC {@linkplain #needs() needs}, if it names one. */
    TOKEN
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

  /**
   * What an RPC may cost the database. A call's cost is not known from its request alone (a range
   * of a quiet market is cheap, of a busy one not): the RPCs whose cost grows with what they ask
   * for are declared heavy, and all of them together get a bounded share of the pool.
   */
  public enum Cost {
    /** A lookup by key, a write of a bounded batch: run on the database executor under its bound only. */
    CHEAP(Duration.ZERO),
    /**
     * A read over a range (trades, order books, candles): its events run on the heavy-read threads,
     * a share of the pool ({@link HeavyReads}), and each of its statements may run for at most
     * {@link #statementTimeout()}.
     */
    HEAVY(Duration.ofSeconds(30));

    private final Duration statementTimeout;

    Cost(Duration statementTimeout) {
      this.statementTimeout = statementTimeout;
    }

    /** How long one statement of the call may run before PostgreSQL cancels it; zero for no limit. */
    public Duration statementTimeout() {
      return statementTimeout;
    }
  }

  public RpcRule {
    Objects.requireNonNull(fullMethodName, "fullMethodName");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(needs, "needs");
    if (needs.isPresent() && access != Access.TOKEN) {
      throw new IllegalArgumentException(fullMethodName + ": only a call that needs a token can need a permission");
    }
    Objects.requireNonNull(runs, "runs");
    Objects.requireNonNull(cost, "cost");
    if (cost == Cost.HEAVY && runs != Runs.DATABASE) {
      throw new IllegalArgumentException(fullMethodName + ": a heavy RPC must run on the database executor's side");
    }
  }

  /** A method that needs a token carrying {@code permission}. */
  public static RpcRule of(MethodDescriptor<?, ?> method, Permission permission, boolean needsPrimary, Runs runs,
                           Cost cost) {
    return new RpcRule(method.getFullMethodName(), Access.TOKEN, Optional.of(permission), needsPrimary, runs, cost);
  }

  /** A method open to anyone, to reflection's callers, or to any valid token ({@link Access#TOKEN}). */
  public static RpcRule of(MethodDescriptor<?, ?> method, Access access, boolean needsPrimary, Runs runs, Cost cost) {
    return new RpcRule(method.getFullMethodName(), access, Optional.empty(), needsPrimary, runs, cost);
  }
}
