package io.tickvault.client.bench;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmarks' own main methods share: the usage line when arguments are missing, a
 * plaintext channel to the host:port of the first argument, shut down after the run, and the
 * optional arguments after the required ones.
 */
final class BenchMain {
  interface Run {
    void on(Channel channel) throws Exception;
  }

  private BenchMain() {}

  static void run(String[] args, int required, String usage, Run run) throws Exception {
    if (args.length < required) {
      System.err.println("usage: " + usage);
      System.exit(2);
    }
    int colon = args[0].lastIndexOf(':');
    // Reads of whole pages and snapshots of deep books exceed gRPC's default 4 MiB.
    ManagedChannel channel = NettyChannelBuilder.forAddress(args[0].substring(0, colon), Integer.parseInt(args[0].substring(colon + 1)))
        .usePlaintext().maxInboundMessageSize(16 * 1024 * 1024).build();
    try {
      run.on(channel);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The argument at {@code index} as an int, or {@code absent} when the command line stops before it. */
  static int intArg(String[] args, int index, int absent) {
    return args.length > index ? Integer.parseInt(args[index]) : absent;
  }

  /** As {@link #intArg}, a long. */
  static long longArg(String[] args, int index, long absent) {
    return args.length > index ? Long.parseLong(args[index]) : absent;
  }
}
