package io.tickvault.server.grpc;

import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.Executor;

/** The Netty event loop a thread runs, for work that must go back to it from another thread. */
public final class EventLoops {
  private EventLoops() {}

  /**
   * The event loop the current thread runs, or null when it runs none. Tasks handed to it from
   * another thread run together at its next turn, and what they write to a connection leaves in
   * one flush, where the same writes made from that other thread would each wake the loop and
   * may each be flushed on their own.
   */
  public static Executor current() {
    return ThreadExecutorMap.currentExecutor();
  }
}
