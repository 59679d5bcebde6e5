package io.tickvault.server.auth;

import io.grpc.Channel;
import io.tickvault.server.testing.TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The authorization rules over the in-process transport. */
class InProcessAuthorizationIT extends AuthorizationContract {
  @RegisterExtension
  static TestServer server = TestServer.inProcess().configure(AuthorizationContract::withTokens);

  @Override
  Channel channel() {
    return server.channel();
  }
}
