package io.tickvault.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The connection under a {@link TickvaultClient}: the channel opened from the
 * {@link TickvaultClient.Builder}'s settings (TLS, deadline and retries, authority) and the network
 * thread it owns, both ended by {@link #close()}.
 */
final class ClientTransport implements AutoCloseable {
  /** Largest message the client accepts, as the server's limit on requests (4 MiB) plus room. */
  private static final int MAX_INBOUND_MESSAGE_BYTES = 16 * 1024 * 1024;

  private final ManagedChannel channel;
  /** The channel's event loop, or null where gRPC's shared one serves (unix: targets). */
  private final EventLoopGroup eventLoop;

  private ClientTransport(ManagedChannel channel, EventLoopGroup eventLoop) {
    this.channel = channel;
    this.eventLoop = eventLoop;
  }

  /** Opens the channel (lazily: nothing connects before the first call); {@code authority} may be null. */
  static ClientTransport open(String target, ChannelCredentials credentials, Duration deadline, int maxAttempts,
      String authority) {
    // An event loop of the client's own, ended by close(), rather than gRPC's shared one: the
    // shared loop's threads wait in epoll for a second after the last channel closes, and a JVM
    // that exits meanwhile waits up to 0.3 s for threads in native code, a cost the CLI paid on
    // every run (measured with bench/cli-startup.sh). NIO: no native library to unpack at start.
    // A unix: target needs gRPC's own choice of transport (epoll's domain sockets).
    boolean domainSocket = target.startsWith("unix:");
    EventLoopGroup eventLoop = domainSocket
        ? null : new NioEventLoopGroup(1, new DefaultThreadFactory("tickvault-client", true));
    ManagedChannelBuilder<?> builder = domainSocket
        ? Grpc.newChannelBuilder(target, credentials)
        : NettyChannelBuilder.forTarget(target, credentials).eventLoopGroup(eventLoop).channelType(NioSocketChannel.class);
    builder.defaultServiceConfig(ServiceConfig.of(deadline, maxAttempts))
        .enableRetry()
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .userAgent("tickvault-java");
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    return new ClientTransport(builder.build(), eventLoop);
  }

  /**
   * Plaintext without {@code tls}; else TLS trusting {@code caFile} (or the JDK's authorities when
   * null), presenting {@code certFile} and {@code keyFile} when not null.
   */
  static ChannelCredentials credentials(boolean tls, Path caFile, Path certFile, Path keyFile) {
    if (!tls) {
      return InsecureChannelCredentials.create();
    }
    try {
      TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
      if (caFile != null) {
        credentials.trustManager(caFile.toFile());
      }
      if (certFile != null) {
        credentials.keyManager(certFile.toFile(), keyFile.toFile());
      }
      return credentials.build();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the TLS files: " + e.getMessage(), e);
    }
  }

  ManagedChannel channel() {
    return channel;
  }

  /** Closes the channel, letting calls in flight finish for up to five seconds, and its threads. */
  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (eventLoop != null) {
      eventLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
