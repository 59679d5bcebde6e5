package io.tickvault.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
  @Test
  void aTaskThatThrowsAnError_isReportedToTheThreadsHandler_andTheTasksAfterItStillRun() throws Exception {
    List<Throwable> reported = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    Thread thread = new Thread(() -> {
      SerialExecutor serial = new SerialExecutor(Runnable::run);
      serial.execute(() -> ran.add("first"));
      serial.execute(() -> {
        throw new OutOfMemoryError("Cannot reserve 2097152 bytes of direct buffer memory");
      });
      serial.execute(() -> ran.add("after the error")); // a call's end, which gives back what it holds
    });
    thread.setUncaughtExceptionHandler((t, e) -> reported.add(e));
    thread.start();
    thread.join(10_000);

    assertThat(ran).containsExactly("first", "after the error");
    assertThat(reported).singleElement().isInstanceOf(OutOfMemoryError.class);
  }
}
