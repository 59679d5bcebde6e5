package io.tickvault.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.channel.DefaultEventLoop;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopsTest {
  @Test
  void onAnEventLoop_itIsThatLoop_andElsewhereThereIsNone() throws Exception {
    DefaultEventLoop loop = new DefaultEventLoop();
    try {
      Executor seen = loop.submit(EventLoops::current).get(5, TimeUnit.SECONDS);
      assertThat(seen).isSameAs(loop);
      assertThat(EventLoops.current()).isNull();
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
