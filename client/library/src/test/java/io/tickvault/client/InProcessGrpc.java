package io.tickvault.client;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test's scripted service on the in-process transport and a channel to it, both shut down after
 * the test. Use as {@code @RegisterExtension final InProcessGrpc grpc = new InProcessGrpc();}.
 */
final class InProcessGrpc implements AfterEachCallback {
  private Server server;
  private ManagedChannel channel;

  /** Serves the service and returns it, for the test to script and inspect. */
  <S extends BindableService> S serve(S service) throws IOException {
    String name = service.getClass().getSimpleName() + "-" + UUID.randomUUID();
    server = InProcessServerBuilder.forName(name).addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    return service;
  }

  ManagedChannel channel() {
    return channel;
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
